"""A client who phones and has no e-mail address: the desk books them all the same.
No e-mail is ever sent about the booking (the clinic telephones them), they are a client
like any other (matched by phone), and erasing them still works."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from meridian.booking.reminders import queue_reminders
from meridian.extensions import db
from meridian.models import Booking, NewClientClaim, OutboxMessage, utcnow

from ..factories import csrf_token, row_counts
from .conftest import REASON
from .test_actions import _new_url

NO_EMAIL = {
    "name": "Maud Telephone",
    "email": "",
    "phone": "020 7946 0031",
    "reason": REASON,
    "consent": "y",
}


def _book(desk, tenant, service, start, **changes):
    day = start.astimezone(ZoneInfo("Europe/London")).date().isoformat()
    url = _new_url(tenant, service, day)
    page = desk.get(url)
    assert start.isoformat() in page.text
    data = {
        "csrf_token": csrf_token(page.text),
        "location": tenant.locations[0].id,
        "service": service.id,
        "start": start.isoformat(),
    } | NO_EMAIL
    return desk.post(url, data={k: v for k, v in (data | changes).items() if v is not None})


def test_the_desk_books_a_client_without_an_email_and_no_mail_is_ever_sent(
    app, make_tenant, make_service, next_free, signed_in_client
):
    tenant = make_tenant("clinic-a")
    service = make_service(tenant)
    desk = signed_in_client(tenant, "front_desk")
    first, second = next_free(tenant, service), next_free(tenant, service, 3)

    # Asking for the confirmation e-mail without an address: said beside the box.
    before = row_counts(app)
    refused = _book(desk, tenant, service, first, tell_client="y")
    assert refused.status_code == 400
    assert "Add the client&#39;s e-mail address to send the confirmation" in refused.text
    assert 'value="Maud Telephone"' in refused.text  # what was typed is kept
    assert row_counts(app) == before

    assert _book(desk, tenant, service, first).status_code == 303
    assert _book(desk, tenant, service, second, phone="+44 20 7946 0031").status_code == 303
    with app.app_context():
        rows = db.session.scalars(select(Booking).order_by(Booking.id)).all()
        assert [(b.client_email, b.client_phone) for b in rows] == [("", "+442079460031")] * 2
        ids = [b.id for b in rows]
        assert db.session.scalars(select(OutboxMessage)).all() == []
    page = desk.get(f"/studio/bookings/{ids[0]}").text
    assert "None (booked by phone: no e-mail is sent)" in page
    # One client, found by phone, with both bookings.
    clients = desk.get("/studio/clients").text
    assert clients.count("Maud Telephone") == 1
    client = desk.get(f"/studio/clients/{ids[0]}").text
    assert "None given" in client and client.count("/studio/bookings/") >= 2

    # Moving or cancelling offers no e-mail; even a forged "tell the client" sends none.
    moving = desk.get(f"/studio/bookings/{ids[0]}/move").text
    assert "No e-mail address: telephone the client" in moving
    cancel = desk.get(f"/studio/bookings/{ids[1]}/cancel")
    assert "No e-mail address: telephone the client" in cancel.text
    done = desk.post(
        f"/studio/bookings/{ids[1]}/cancel",
        data={"csrf_token": csrf_token(cancel.text), "note": "Ill", "tell_client": "y"},
    )
    assert done.status_code in (302, 303)
    assert "being told by e-mail" not in desk.get(done.headers["Location"]).text
    with app.app_context():
        assert db.session.get(Booking, ids[1]).status == "cancelled"
        assert db.session.scalars(select(OutboxMessage)).all() == []
        # The reminder run passes them over (and does not fail on them).
        assert queue_reminders(24 * 30, now=utcnow()) == 0
        assert db.session.scalars(select(OutboxMessage)).all() == []


def test_new_clients_only_knows_a_client_without_an_email_by_phone(
    app, make_tenant, make_service, next_free, signed_in_client
):
    tenant = make_tenant("clinic-a")
    service = make_service(tenant, new_clients_only=True)
    desk = signed_in_client(tenant, "front_desk")
    assert _book(desk, tenant, service, next_free(tenant, service)).status_code == 303
    with app.app_context():
        claims = db.session.execute(select(NewClientClaim.kind, NewClientClaim.value)).all()
        assert claims == [("phone", "+442079460031")]
    before = row_counts(app)
    again = _book(desk, tenant, service, next_free(tenant, service, 3))
    assert again.status_code == 400 and "new clients" in again.text
    assert row_counts(app) == before


def test_erasing_a_client_without_an_email_marks_their_bookings_erased(
    app, make_tenant, make_service, next_free, signed_in_client
):
    tenant = make_tenant("clinic-a")
    service = make_service(tenant)
    desk = signed_in_client(tenant, "front_desk")
    start = next_free(tenant, service)
    assert _book(desk, tenant, service, start).status_code == 303
    with app.app_context():
        booking_id = db.session.scalars(select(Booking.id)).one()
    owner = signed_in_client(tenant, "owner")
    page = owner.get(f"/studio/clients/{booking_id}/erase")
    erased = owner.post(
        f"/studio/clients/{booking_id}/erase",
        data={"csrf_token": csrf_token(page.text), "confirm": "y"},
    )
    assert erased.status_code == 303
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking.erased_at is not None
        assert (booking.client_name, booking.client_phone, booking.reason) == (
            "Erased client",
            "",
            "",
        )
        assert booking.erased_at <= utcnow() + timedelta(seconds=1)
    assert "Maud Telephone" not in owner.get("/studio/clients").text
    assert owner.get(f"/studio/clients/{booking_id}").status_code == 404
