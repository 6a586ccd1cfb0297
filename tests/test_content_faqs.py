"""FAQs and clinic details through the write path."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select

from meridian.content import ContentInvalid, content_changed, faqs
from meridian.content import clinic as clinic_content
from meridian.extensions import db
from meridian.models import Location, Service, Tenant


@pytest.fixture
def clinic(make_tenant, ctx):
    make_tenant("clinic-a")
    make_tenant("clinic-b")
    return db.session.scalars(select(Tenant).filter_by(slug="clinic-a")).one()


def _questions(tenant: Tenant) -> list[str]:
    return [f.question for f in faqs.ordered(tenant)]


def test_add_edit_reorder_delete(clinic):
    one, _ = faqs.save_faq(clinic, None, "Does it hurt?", "Rarely.\r\n")
    two, _ = faqs.save_faq(clinic, None, "How long?", "An hour.")
    three, _ = faqs.save_faq(clinic, None, "What to wear?", "Loose clothes.")
    assert _questions(clinic) == ["Does it hurt?", "How long?", "What to wear?"]
    assert one.answer_md == "Rarely." and one.answer_html == "<p>Rarely.</p>\n"
    assert faqs.move_faq(clinic, three, -1)
    assert _questions(clinic) == ["Does it hurt?", "What to wear?", "How long?"]
    assert not faqs.move_faq(clinic, one, -1)  # already first
    faqs.save_faq(clinic, two, "How long is a session?", "About an hour.")
    faqs.delete_faq(clinic, one)
    assert _questions(clinic) == ["What to wear?", "How long is a session?"]
    assert [f.position for f in faqs.ordered(clinic)] == [0, 1]


def test_reorder_must_name_every_question_once(clinic):
    one, _ = faqs.save_faq(clinic, None, "A?", "")
    faqs.save_faq(clinic, None, "B?", "")
    with pytest.raises(ContentInvalid):
        faqs.reorder(clinic, [one])


def test_bad_faqs_are_refused_by_field(clinic):
    with pytest.raises(ContentInvalid) as refused:
        faqs.save_faq(clinic, None, "", "x" * 20_001)
    assert set(refused.value.errors) == {"question", "answer"}
    with pytest.raises(ContentInvalid) as refused:
        faqs.save_faq(clinic, None, "Two\nlines?", "")
    assert "single line" in refused.value.errors["question"]


def test_faq_changes_are_announced(clinic):
    seen = []
    with content_changed.connected_to(lambda sender, change: seen.append(change)):
        faq, _ = faqs.save_faq(clinic, None, "A?", "x", actor="Ada")
        faqs.save_faq(clinic, faq, "A?", "y", actor="Ada")
        faqs.delete_faq(clinic, faq, actor="Ada")
    assert [c.action for c in seen] == ["faq.create", "faq.update", "faq.delete"]
    assert seen[1].details == {"answer_md": ["x", "y"]}


def test_hours_must_not_overlap_or_run_backwards(clinic):
    location = db.session.scalars(select(Location).filter_by(tenant_id=clinic.id)).one()
    with pytest.raises(ContentInvalid, match="overlap"):
        clinic_content.set_hours(
            clinic, location, {(0, time(9), time(13)), (0, time(12), time(17))}
        )
    with pytest.raises(ContentInvalid, match="closes before it opens"):
        clinic_content.set_hours(clinic, location, {(0, time(17), time(9))})
    assert clinic_content.set_hours(clinic, location, {(5, time(10), time(12))})
    assert [(h.weekday, h.opens) for h in location.hours] == [(5, time(10))]


def test_services_are_checked(clinic):
    with pytest.raises(ContentInvalid) as refused:
        clinic_content.save_service(
            clinic, None, "Bad Slug", {"name": "", "duration_minutes": 0, "price_minor": -1}
        )
    assert set(refused.value.errors) == {"slug", "name", "duration_minutes", "price_minor"}
    db.session.rollback()
    assert db.session.scalars(select(Service)).first() is None
