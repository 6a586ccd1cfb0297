"""The FAQ in the studio: add, edit, reorder, delete (asked first), refusals kept."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from meridian.extensions import db
from meridian.models import Faq

from ..factories import row_counts
from .helpers import audit


@pytest.fixture
def clinic(make_tenant):
    return make_tenant("clinic-a")


@pytest.fixture
def editor(clinic, signed_in_client):
    return signed_in_client(clinic, "editor")


def _questions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Faq.question).order_by(Faq.position)))


def _id(app, question: str) -> int:
    with app.app_context():
        return db.session.scalars(select(Faq.id).filter_by(question=question)).one()


def test_add_edit_reorder_delete(app, editor, client_for, clinic):
    for question in ("Does it hurt?", "How long?", "What to wear?"):
        response = editor.post(
            "/studio/faq/new",
            data={"csrf_token": editor.csrf, "question": question, "answer": f"About {question}"},
        )
        assert response.status_code == 302
    assert _questions(app) == ["Does it hurt?", "How long?", "What to wear?"]
    listing = editor.get("/studio/faq").text
    assert "Does it hurt?" in listing
    token = editor.csrf
    editor.post(
        f"/studio/faq/{_id(app, 'What to wear?')}/move",
        data={"csrf_token": token, "direction": "up"},
    )
    assert _questions(app) == ["Does it hurt?", "What to wear?", "How long?"]
    editor.post(
        f"/studio/faq/{_id(app, 'Does it hurt?')}/move",
        data={"csrf_token": token, "direction": "down"},
    )
    assert _questions(app) == ["What to wear?", "Does it hurt?", "How long?"]
    faq_id = _id(app, "How long?")
    assert editor.get(f"/studio/faq/{faq_id}/edit").status_code == 200
    editor.post(
        f"/studio/faq/{faq_id}/edit",
        data={"csrf_token": token, "question": "How long is a visit?", "answer": "An *hour*."},
    )
    public = client_for(clinic).get("/faq").text
    assert "How long is a visit?" in public and "<em>hour</em>" in public
    ask = editor.get(f"/studio/faq/{faq_id}/delete")
    assert "cannot be undone" in ask.text and len(_questions(app)) == 3
    editor.post(f"/studio/faq/{faq_id}/delete", data={"csrf_token": token})
    assert _questions(app) == ["What to wear?", "Does it hurt?"]
    actions = [e.action for e in audit(app, "faq.")]
    assert actions == ["faq.create"] * 3 + [
        "faq.reorder",
        "faq.reorder",
        "faq.update",
        "faq.delete",
    ]


def test_a_refused_question_keeps_what_was_typed(app, editor):
    before = row_counts(app)
    answer = "A long answer that must not be lost.\n\nTwo paragraphs."
    response = editor.post(
        "/studio/faq/new", data={"csrf_token": editor.csrf, "question": "", "answer": answer}
    )
    assert response.status_code == 200
    assert 'id="question-error"' in response.text and answer in response.text
    assert row_counts(app) == before


def test_moving_past_either_end_changes_nothing(app, editor):
    editor.post("/studio/faq/new", data={"csrf_token": editor.csrf, "question": "Only one?"})
    before = row_counts(app)
    response = editor.post(
        f"/studio/faq/{_id(app, 'Only one?')}/move",
        data={"csrf_token": editor.csrf, "direction": "up"},
    )
    assert response.status_code == 302 and row_counts(app) == before
