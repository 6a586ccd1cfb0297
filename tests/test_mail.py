"""mail.queue: templates, addresses, inline delivery after any commit, no health data."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
from sqlalchemy import select

from meridian import mail
from meridian.booking.reminders import queue_reminders
from meridian.extensions import db
from meridian.models import Booking, OutboxMessage, Tenant
from meridian.outbox import build_email, send_due
from tests.conftest import csrf_token
from tests.test_booking_links import links_in_email, post_with_token

REASON = "haemorrhoids-and-anxiety-7731"


def parsed(message: OutboxMessage, tenant_name: str) -> email.message.EmailMessage:
    """The delivered bytes, parsed back the way a mail client would."""
    raw = bytes(build_email(message, tenant_name))
    return email.message_from_bytes(raw, policy=email.policy.default)


@pytest.fixture
def tenant(make_tenant):
    return make_tenant("clinic-a", name="Zoë's Clinic, Soho", change_cutoff_hours=0)


def test_queue_renders_subject_text_and_html_and_adds_one_row(app, tenant):
    with app.test_request_context():
        row = db.session.get(Tenant, tenant.id)
        booking = None
        message = mail.queue(
            row,
            "test",
            "ada@example.com",
            "booking_cancelled",
            key="test:1",
            booking=booking,
            when="Monday",
            book_url="http://clinic-a.test/book",
        )
        db.session.commit()
        assert message.subject == "Your appointment at Zoë's Clinic, Soho is cancelled"
        assert message.body_text.startswith("Hello")
        assert "Subject:" not in message.body_text
        assert message.body_html is not None and "http://clinic-a.test/book" in message.body_html
        assert message.recipient == "ada@example.com" and message.idempotency_key == "test:1"
        out = parsed(message, row.name)
    assert out.get_content_type() == "multipart/alternative"
    # The clinic's name (comma, apostrophe, diaeresis) is a display name, not addresses.
    assert out["From"].addresses[0].display_name == "Zoë's Clinic, Soho"
    assert out["From"].addresses[0].addr_spec == "bookings@meridian.test"
    assert len(out["From"].addresses) == 1


def test_a_template_without_html_sends_plain_text_only(app, tenant):
    with app.test_request_context():
        row = db.session.get(Tenant, tenant.id)
        message = mail.queue(
            row,
            "test",
            "ada@example.com",
            "password_reset",
            user=type("U", (), {"display_name": "Ada"})(),
            minutes=30,
            reset_url="http://clinic-a.test/studio/reset/t",
        )
        assert message.body_html is None  # no password_reset.html: plain text only
        out = parsed(message, row.name)
    assert out.get_content_type() == "text/plain"


def test_a_subject_is_always_one_line(app, tenant):
    with app.test_request_context():
        row = db.session.get(Tenant, tenant.id)
        message = mail.queue(
            row,
            "test",
            "ada@example.com",
            "clinic_booking",
            booking=_fake_booking(),
            when="Monday",
            subject="Hello\r\nBcc: victim@example.com",
            headline="x",
        )
        assert message.subject == "Hello Bcc: victim@example.com"
        out = parsed(message, row.name)
    assert out["Bcc"] is None


def _fake_booking():
    class Where:
        name = "Main"
        address_lines = ["1 High Street"]
        phone = ""

    class What:
        name = "Consult"

    class Fake:
        id = None
        service = What()
        location = Where()
        client_name = "Ada"
        client_email = "ada@example.com"
        client_phone = "+442079460018"
        reference = "ABC"

    return Fake()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("jose@bücher.example", "jose@xn--bcher-kva.example"),
        ("Jose@BÜCHER.example", "Jose@xn--bcher-kva.example"),
        ("ada@example.com", "ada@example.com"),
    ],
)
def test_addresses_are_ascii_with_an_idna_domain(app, tenant, raw, expected):
    assert_header_is_plain(app, tenant, raw, expected)


def assert_header_is_plain(app, tenant, raw, expected):
    with app.test_request_context():
        row = db.session.get(Tenant, tenant.id)
        message = mail.queue(row, "t", raw, "clinic_booking", **_clinic_ctx())
        assert message.recipient == expected
        wire = bytes(build_email(message, row.name)).decode("ascii")
    to_line = next(line for line in wire.splitlines() if line.startswith("To:"))
    assert to_line == f"To: {expected}"
    assert "=?" not in to_line


def _clinic_ctx():
    return {"booking": _fake_booking(), "when": "Monday", "subject": "S", "headline": "H"}


@pytest.mark.parametrize("raw", ["josé@bücher.example", "用户@例子.广告", "not-an-address", ""])
def test_smtputf8_local_parts_and_garbage_are_refused(app, tenant, raw):
    with app.test_request_context():
        row = db.session.get(Tenant, tenant.id)
        with pytest.raises(mail.AddressError):
            mail.queue(row, "t", raw, "clinic_booking", **_clinic_ctx())
        assert db.session.scalars(select(OutboxMessage)).first() is None


def test_the_booking_form_refuses_an_smtputf8_address_with_a_message(
    app, make_service, next_free, book_via_http, tenant
):
    service = make_service(tenant)
    response = book_via_http(
        tenant, service, next_free(tenant, service), email="josé@bücher.example"
    )
    assert response.status_code == 422
    assert "accents or non-Latin letters before the @" in response.text
    assert 'id="email-error"' in response.text
    with app.app_context():
        assert db.session.scalars(select(Booking)).first() is None


def test_an_idn_domain_books_and_the_mail_goes_to_the_idna_form(
    app, make_service, next_free, book_via_http, tenant
):
    service = make_service(tenant)
    start = next_free(tenant, service)
    assert book_via_http(tenant, service, start, email="jose@bücher.example").status_code == 303
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage).filter_by(kind="confirmation")).one()
        assert message.recipient == "jose@xn--bcher-kva.example"
        out = parsed(message, "Clinic")
    assert out["To"].addresses[0].domain == "xn--bcher-kva.example"
    # The visitor's e-mail has the plain text and an HTML alternative, and the .ics.
    types = [part.get_content_type() for part in out.walk()]
    assert types[0] == "multipart/mixed"
    assert "multipart/alternative" in types and "text/html" in types
    assert "text/plain" in types and "text/calendar" in types
    html = out.get_body(("html",)).get_content()
    assert "/book/cancel/" in html and "/book/reschedule/" in html


def test_a_stored_unusable_recipient_fails_at_once_instead_of_retrying(app, tenant):
    with app.test_request_context():
        row = db.session.get(Tenant, tenant.id)
        message = mail.queue(row, "t", "ada@example.com", "clinic_booking", **_clinic_ctx())
        message.recipient = "josé@bücher.example"  # e.g. written before this check existed
        db.session.commit()
        assert send_due() == {"sent": 0, "retry": 0, "failed": 1}


def test_inline_delivery_follows_every_commit_that_queued_mail(
    app, make_app, make_service, next_free, client_for, tenant, tmp_path
):
    """Under `make run`, booking, rescheduling and cancelling each send at once."""
    inline = make_app(MAIL_DELIVER_INLINE=True, INSTANCE_PATH=str(tmp_path))
    service = make_service(tenant)
    client = client_for(tenant, inline)
    start = next_free(tenant, service)
    page = client.get(
        "/book/details",
        query_string={
            "location": tenant.locations[0].id,
            "service": service.id,
            "start": start.isoformat(),
        },
    )
    data = {
        "csrf_token": csrf_token(page.text),
        "location": str(tenant.locations[0].id),
        "service": str(service.id),
        "start": start.isoformat(),
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": "020 7946 0018",
        "consent": "y",
    }

    def statuses() -> dict[str, str]:
        with app.app_context():
            rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            return {f"{m.kind}:{m.booking_id}": m.status for m in rows}

    assert client.post("/book/details", data=data).status_code == 303
    assert set(statuses().values()) == {"sent"}
    with app.app_context():
        first = db.session.scalars(select(Booking)).one()
    urls = links_in_email(app, first.id)
    moved = post_with_token(client, urls["reschedule"], start=next_free(tenant, service, 12))
    assert moved.status_code == 200
    assert len(statuses()) == 4 and set(statuses().values()) == {"sent"}
    with app.app_context():
        new = db.session.scalars(select(Booking).filter_by(status="confirmed")).one()
    cancelled = post_with_token(client, links_in_email(app, new.id)["cancel"])
    assert cancelled.status_code == 200
    assert len(statuses()) == 6 and set(statuses().values()) == {"sent"}
    files = list((Path(inline.instance_path) / "mail").glob("*.eml"))
    assert sorted(f.name.split("-", 3)[-1] for f in files) == [
        "cancelled.eml",
        "clinic-cancelled.eml",
        "clinic-moved.eml",
        "clinic-new.eml",
        "confirmation.eml",
        "confirmation.eml",
    ]


def test_without_inline_delivery_mail_waits_for_the_worker(
    app, make_service, next_free, book_via_http, tenant
):
    service = make_service(tenant)
    assert book_via_http(tenant, service, next_free(tenant, service)).status_code == 303
    with app.app_context():
        assert set(db.session.scalars(select(OutboxMessage.status))) == {"queued"}


def test_no_email_of_any_kind_carries_the_reason_for_visit(
    app, make_service, next_free, book_via_http, client_for, tenant
):
    from datetime import timedelta

    from sqlalchemy import update

    service = make_service(tenant)
    start = next_free(tenant, service, 3)
    assert book_via_http(tenant, service, start, reason=REASON).status_code == 303
    client = client_for(tenant)
    with app.app_context():
        first = db.session.scalars(select(Booking)).one()
    moved_to = next_free(tenant, service, 20)
    post_with_token(client, links_in_email(app, first.id)["reschedule"], start=moved_to)
    with app.app_context():
        new = db.session.scalars(select(Booking).filter_by(status="confirmed")).one()
        new_id, starts = new.id, new.starts_at
        db.session.execute(update(Booking).values(created_at=starts - timedelta(days=5)))
        db.session.commit()
        assert queue_reminders(24, now=starts - timedelta(hours=20)) == 1
    post_with_token(client, links_in_email(app, new_id)["cancel"])
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage)).all()
        kinds = {m.kind for m in rows}
        assert kinds >= {"confirmation", "clinic-new", "clinic-moved", "reminder"}
        assert kinds >= {"cancelled", "clinic-cancelled"}
        for message in rows:
            wire = bytes(build_email(message, "Clinic")).decode("utf-8", "replace")
            assert REASON not in wire and REASON not in (message.body_html or "")
