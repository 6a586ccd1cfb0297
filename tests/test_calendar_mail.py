"""Booking e-mails that every calendar understands: one event UID for the appointment
however often it moves, SEQUENCE raised on each change, ORGANIZER the clinic; replies
go to the location; the clinic's own From address."""

from __future__ import annotations

import email

from icalendar import Calendar
from sqlalchemy import select

from meridian.booking.tokens import make_token
from meridian.extensions import db
from meridian.models import Booking, OutboxMessage, Tenant
from meridian.outbox import build_email
from tests.factories import csrf_token


def event_of(app, booking_id: int, kind: str):
    with app.app_context():
        ics = db.session.scalars(
            select(OutboxMessage.ics).where(
                OutboxMessage.booking_id == booking_id, OutboxMessage.kind == kind
            )
        ).one()
    calendar = Calendar.from_ical(ics)
    return calendar, next(iter(calendar.walk("VEVENT")))


def post_link(client, app, booking, action, **data):
    with app.app_context():
        url = f"/book/{action}/{make_token(booking, action)}"
    page = client.get(url)
    assert page.status_code == 200, page.text
    return client.post(url, data={"csrf_token": csrf_token(page.text)} | data)


def test_reschedule_keeps_the_uid_and_raises_the_sequence_then_cancel_raises_it_again(
    app, make_tenant, make_service, next_free, book_via_http, client_for
):
    tenant = make_tenant("clinic-a", name="Clinic Alpha", change_cutoff_hours=0)
    service = make_service(tenant)
    assert book_via_http(tenant, service, next_free(tenant, service, 2)).status_code == 303
    with app.app_context():
        first = db.session.scalars(select(Booking)).one()
        db.session.expunge(first)
    calendar, original = event_of(app, first.id, "confirmation")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert int(original["SEQUENCE"]) == 0
    assert str(original["ORGANIZER"].params["CN"]) == "Clinic Alpha"
    assert str(original["ATTENDEE"]).lower() == "mailto:ada@example.com"

    client = client_for(tenant)
    later = next_free(tenant, service, 12)
    moved = post_link(client, app, first, "reschedule", start=later.isoformat())
    assert moved.status_code == 200, moved.text
    with app.app_context():
        new = db.session.scalars(select(Booking).where(Booking.status == "confirmed")).one()
        db.session.expunge(new)
    _, update = event_of(app, new.id, "confirmation")
    # The same event, a newer version of it: calendars move it, they don't add one.
    assert str(update["UID"]) == str(original["UID"])
    assert int(update["SEQUENCE"]) > int(original["SEQUENCE"])
    assert update.decoded("DTSTART") == later

    assert post_link(client, app, new, "cancel").status_code == 200
    calendar, cancelled = event_of(app, new.id, "cancelled")
    assert str(calendar["METHOD"]) == "CANCEL" and str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["UID"]) == str(original["UID"])
    assert int(cancelled["SEQUENCE"]) > int(update["SEQUENCE"])


def test_reply_to_is_the_location_and_from_is_the_clinics_address(
    app, make_tenant, make_service, next_free, book_via_http
):
    tenant = make_tenant("clinic-a", name="Clinic Alpha", change_cutoff_hours=0)
    service = make_service(tenant)
    assert book_via_http(tenant, service, next_free(tenant, service)).status_code == 303
    with app.app_context():
        row = db.session.get(Tenant, tenant.id)
        visitor = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "confirmation")
        ).one()
        clinic = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "clinic-new")
        ).one()
        plain = email.message_from_bytes(bytes(build_email(visitor, row.name)))
        assert plain["Reply-To"] == "hello@clinic-a.test"  # the location's e-mail
        assert plain["From"] == "Clinic Alpha <bookings@meridian.test>"  # platform default
        own = email.message_from_bytes(
            bytes(build_email(visitor, row.name, "appointments@clinic-a.test"))
        )
        assert own["From"] == "Clinic Alpha <appointments@clinic-a.test>"
        # The clinic's copy answers the client directly.
        notice = email.message_from_bytes(bytes(build_email(clinic, row.name)))
        assert notice["Reply-To"] == "ada@example.com"
        assert "with Pat Example" in visitor.body_text


def test_the_outbox_sends_from_the_clinics_address_when_it_has_one(
    app, make_tenant, make_service, next_free, book_via_http
):
    from meridian.outbox import mail_folder, send_due

    tenant = make_tenant(
        "clinic-a", name="Clinic Alpha", mail_from="desk@clinic-a.test", change_cutoff_hours=0
    )
    service = make_service(tenant)
    assert book_via_http(tenant, service, next_free(tenant, service)).status_code == 303
    with app.test_request_context():
        before = set(mail_folder().glob("*.eml"))
        assert send_due()["sent"] == 2
        new = set(mail_folder().glob("*.eml")) - before
        sent = [email.message_from_bytes(p.read_bytes()) for p in new]
    assert len(sent) == 2
    assert {m["From"] for m in sent} == {"Clinic Alpha <desk@clinic-a.test>"}
