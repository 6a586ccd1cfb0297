"""Answering a data request from its page: the copy (front desk and owners) and erasure
(owners), covering everything held under the confirmed address and nothing else."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from meridian.extensions import db
from meridian.models import (
    AuditEvent,
    Booking,
    Comment,
    ContactMessage,
    DataRequest,
    OutboxMessage,
    Subscriber,
    utcnow,
)
from meridian.privacy.versions import in_force

from ..factories import row_counts
from .test_requests import _fresh_limits, ask, mailed_link  # noqa: F401

REASON = "MARKER-shoulder-since-March"


def _extra_rows(app, tenant, post_id: int, email: str) -> None:
    """A contact message, a comment with the clinic's reply, a subscription and an
    e-mail about a booking, all under `email`."""
    with app.app_context():
        version = in_force(tenant).id
        consent = {"privacy_notice_id": version, "consent_text": "I agree (test)"}
        message = ContactMessage(
            tenant_id=tenant.id, name="Ada", email=email, body="Do you open Sundays?", **consent
        )
        db.session.add(message)
        db.session.flush()
        # The clinic's notice of it, as engagement/contact.py queues it.
        db.session.add(
            OutboxMessage(
                tenant_id=tenant.id,
                kind="contact-message",
                recipient="frontdesk-staff@clinic-a.test",
                subject="New message from Ada",
                body_text="Ada asks: Do you open Sundays?",
                headers={"Reply-To": email},
                idempotency_key=f"contact-message:{message.id}",
            )
        )
        comment = Comment(
            tenant_id=tenant.id,
            post_id=post_id,
            author_name="Ada",
            author_email=email,
            body="Lovely article",
            status="approved",
            **consent,
        )
        db.session.add(comment)
        db.session.flush()
        db.session.add(
            Comment(
                tenant_id=tenant.id,
                post_id=post_id,
                parent_id=comment.id,
                author_name=tenant.name,
                body="Thank you Ada",
                status="approved",
                by_clinic=True,
            )
        )
        db.session.add(Subscriber(tenant_id=tenant.id, email=email, status="confirmed", **consent))
        db.session.commit()


@pytest.fixture
def held(app, make_tenant, make_post, add_booking, client_for):
    """Clinic A holds Ada's bookings (one with a reason), a booking under another address
    with Ada's phone, and extra rows; clinic B holds a booking under Ada's address.
    Ada's confirmed request is returned with `kind`."""

    def make(kind: str):
        a = make_tenant("clinic-a", name="Alpha Clinic")
        b = make_tenant("clinic-b", name="Beta Clinic")
        post = make_post(a, "hello")
        soon = utcnow().replace(microsecond=0) + timedelta(days=3)
        past = add_booking(a, soon - timedelta(days=30), reason=REASON)
        future = add_booking(a, soon)
        shared_phone = add_booking(
            a, soon + timedelta(hours=2), client_name="Bob", client_email="bob@example.com"
        )
        other = add_booking(b, soon, reason="Beta clinic reason")
        with app.app_context():
            db.session.add(
                OutboxMessage(
                    tenant_id=a.id,
                    booking_id=past,
                    kind="confirmation",
                    recipient="ada@example.com",
                    subject="Your booking",
                    body_text="See you then",
                    idempotency_key=f"test-{past}",
                )
            )
            db.session.commit()
        _extra_rows(app, a, post.id, "Ada@Example.com")
        ask(app, client_for(a), a, kind=kind)
        client_for(a).post(mailed_link(app, "ada@example.com"))
        with app.app_context():
            request_id = db.session.scalars(select(DataRequest.id)).one()
        ids = {"past": past, "future": future, "bob": shared_phone, "beta": other}
        return a, b, request_id, ids

    return make


def _zip(response) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def _audit(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).filter_by(action=action)))


def test_the_front_desk_downloads_everything_held_under_the_address(app, held, signed_in_client):
    a, _, request_id, ids = held("copy")
    desk = signed_in_client(a, "front_desk")
    page = desk.get(f"/studio/requests/{request_id}")
    assert "Download everything held" in page.text
    assert "Bookings: 2" in page.text and "Comments: 1" in page.text
    response = desk.post(f"/studio/requests/{request_id}/export", data={"csrf_token": desk.csrf})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "no-store" in response.headers["Cache-Control"]
    assert REASON not in response.headers.get("Content-Disposition", "")
    files = _zip(response)
    assert set(files) == {
        "held.json",
        "bookings.csv",
        "emails.csv",
        "contact_messages.csv",
        "comments.csv",
        "subscriptions.csv",
    }
    document = json.loads(files["held.json"])
    assert document["clinic"] == "Alpha Clinic" and document["request"]["kind"] == "copy"
    assert len(document["bookings"]) == 2
    assert [(r["kind"], r["status"]) for r in document["data_requests"]] == [("copy", "open")]
    assert REASON in files["bookings.csv"]
    # Bob shares Ada's phone but not her mailbox; clinic B's booking is B's.
    assert "bob@example.com" not in files["held.json"]
    assert "Beta clinic reason" not in files["held.json"]
    assert "See you then" in files["emails.csv"]
    emails = {row["kind"]: row for row in csv.DictReader(io.StringIO(files["emails.csv"]))}
    # The clinic's notice of her message is hers too; the staff address on it is not.
    assert emails["contact-message"]["recipient"] == "(the clinic)"
    assert "frontdesk-staff@clinic-a.test" not in files["held.json"]
    assert emails["confirmation"]["recipient"] == "ada@example.com"
    assert "privacy-request-confirm" in files["emails.csv"]  # sent to the address
    assert "Do you open Sundays?" in files["contact_messages.csv"]
    assert "Lovely article" in files["comments.csv"] and "Hello" in files["comments.csv"]
    assert "version 1" in files["subscriptions.csv"]
    assert "I agree (test)" in files["subscriptions.csv"]
    (event,) = _audit(app, "privacy_request.export")
    assert event.target == f"data_request:{request_id}" and event.tenant_id == a.id
    assert event.actor_email == desk.user.email


@pytest.mark.parametrize("kind", ["correct", "erase"])
def test_the_front_desk_exports_only_for_a_copy_and_owners_for_any(
    app, held, signed_in_client, kind
):
    a, _, request_id, _ = held(kind)
    desk = signed_in_client(a, "front_desk")
    assert "Download everything held" not in desk.get(f"/studio/requests/{request_id}").text
    before = row_counts(app)
    refused = desk.post(f"/studio/requests/{request_id}/export", data={"csrf_token": desk.csrf})
    assert refused.status_code == 403
    assert _audit(app, "privacy_request.export") == []
    owner = signed_in_client(a, "owner")
    assert (
        owner.post(
            f"/studio/requests/{request_id}/export", data={"csrf_token": owner.csrf}
        ).status_code
        == 200
    )
    assert row_counts(app)["audit_event"] > before["audit_event"]


def test_an_answered_copy_request_is_the_owners_to_export_again(app, held, signed_in_client):
    a, _, request_id, _ = held("copy")
    desk = signed_in_client(a, "front_desk")
    desk.post(f"/studio/requests/{request_id}", data={"csrf_token": desk.csrf, "note": "Sent."})
    again = desk.post(f"/studio/requests/{request_id}/export", data={"csrf_token": desk.csrf})
    assert again.status_code == 403
    owner = signed_in_client(a, "owner")
    assert (
        owner.post(
            f"/studio/requests/{request_id}/export", data={"csrf_token": owner.csrf}
        ).status_code
        == 200
    )


def test_an_export_without_a_token_is_refused(app, held, signed_in_client):
    a, _, request_id, _ = held("copy")
    desk = signed_in_client(a, "front_desk")
    assert desk.post(f"/studio/requests/{request_id}/export").status_code == 400
    assert _audit(app, "privacy_request.export") == []


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_owner_erases_everything_held_under_the_address_and_nothing_else(
    app, held, signed_in_client
):
    a, b, request_id, ids = held("erase")
    owner = signed_in_client(a, "owner")
    assert "Erase everything held" in owner.get(f"/studio/requests/{request_id}").text
    unticked = owner.post(f"/studio/requests/{request_id}/erase", data={"csrf_token": owner.csrf})
    assert unticked.status_code == 422 and "Please tick the box to confirm." in unticked.text
    with app.app_context():
        assert db.session.get(Booking, ids["past"]).reason == REASON
    done = owner.post(
        f"/studio/requests/{request_id}/erase", data={"csrf_token": owner.csrf, "confirm": "y"}
    )
    assert done.status_code == 303
    assert "Erased: 2 booking(s)" in owner.get(done.headers["Location"]).text
    with app.app_context():
        past, future = (db.session.get(Booking, ids[k]) for k in ("past", "future"))
        assert past.client_email == "" and past.reason == "" and past.client_phone == ""
        assert future.status == "cancelled"
        assert past.service_id and past.starts_at  # statistics keep their shape
        address = func.lower(OutboxMessage.recipient) == "ada@example.com"
        assert _count(OutboxMessage, OutboxMessage.tenant_id == a.id, address) == 0
        assert _count(ContactMessage, ContactMessage.tenant_id == a.id) == 0
        notices = OutboxMessage.kind == "contact-message"
        assert _count(OutboxMessage, OutboxMessage.tenant_id == a.id, notices) == 0
        assert _count(Comment, Comment.tenant_id == a.id) == 0  # the reply went with it
        assert _count(Subscriber, Subscriber.tenant_id == a.id) == 0
        # Bob (same phone, own mailbox) and clinic B are untouched.
        assert db.session.get(Booking, ids["bob"]).client_email == "bob@example.com"
        beta = db.session.get(Booking, ids["beta"])
        assert beta.client_email == "ada@example.com" and beta.reason == "Beta clinic reason"
        # The request stays: it is the record of the answer.
        assert db.session.get(DataRequest, request_id).status == "open"
    (event,) = _audit(app, "privacy_request.erase")
    assert event.target == f"data_request:{request_id}"


@pytest.mark.parametrize("role", ["front_desk", "editor"])
def test_only_the_owner_erases(app, held, signed_in_client, role):
    a, _, request_id, ids = held("erase")
    member = signed_in_client(a, role)
    before = row_counts(app)
    response = member.post(
        f"/studio/requests/{request_id}/erase", data={"csrf_token": member.csrf, "confirm": "y"}
    )
    assert response.status_code == 403
    assert row_counts(app) == before
    with app.app_context():
        assert db.session.get(Booking, ids["past"]).reason == REASON


def test_erasure_needs_an_erasure_request(app, held, signed_in_client):
    a, _, request_id, ids = held("copy")
    owner = signed_in_client(a, "owner")
    assert "Erase everything held" not in owner.get(f"/studio/requests/{request_id}").text
    before = row_counts(app)
    response = owner.post(
        f"/studio/requests/{request_id}/erase", data={"csrf_token": owner.csrf, "confirm": "y"}
    )
    assert response.status_code == 403
    assert row_counts(app) == before


@pytest.mark.parametrize("action", ["export", "erase"])
def test_another_clinics_owner_finds_nothing(app, held, signed_in_client, action):
    a, b, request_id, ids = held("erase")
    theirs = signed_in_client(b, "owner")
    before = row_counts(app)
    response = theirs.post(
        f"/studio/requests/{request_id}/{action}", data={"csrf_token": theirs.csrf, "confirm": "y"}
    )
    assert response.status_code == 404
    assert row_counts(app) == before
    with app.app_context():
        assert db.session.get(Booking, ids["past"]).reason == REASON
