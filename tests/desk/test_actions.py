"""The desk's actions: attendance, cancel (telling the client or not), move on the
client's behalf, book for a client who phones (the same database guard as the
visitor's), block time, send an e-mail again. Each is audited in the same transaction."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from meridian.booking.availability import availability
from meridian.extensions import db
from meridian.models import (
    AuditEvent,
    Booking,
    Closure,
    Location,
    OutboxMessage,
    Service,
    SlotClaim,
    TimeOff,
)

from ..factories import csrf_token, row_counts
from .conftest import REASON


def _post(client, url: str, page_url: str | None = None, **data):
    page = client.get(page_url or url)
    return client.post(url, data={"csrf_token": csrf_token(page.text)} | data)


def _audits(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()
        db.session.expunge_all()
        return rows


def _booking(app, booking_id: int) -> Booking:
    with app.app_context():
        row = db.session.get(Booking, booking_id)
        db.session.expunge(row)
        return row


def _outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return rows


def test_marks_arrived_then_completed_and_the_history_says_who(
    app, make_tenant, booked, signed_in_client
):
    tenant = make_tenant("clinic-a")
    booking_id, start = booked(tenant)
    desk = signed_in_client(tenant, "front_desk")
    page = f"/studio/bookings/{booking_id}"
    response = _post(desk, f"{page}/attendance", page, mark="arrived")
    assert response.status_code == 303
    assert _booking(app, booking_id).attendance == "arrived"
    day = start.astimezone(ZoneInfo("Europe/London")).date().isoformat()
    assert "Arrived" in desk.get(f"/studio/bookings?day={day}").text
    _post(desk, f"{page}/attendance", page, mark="completed")
    assert _booking(app, booking_id).attendance == "completed"
    shown = desk.get(page).text
    assert "Marked arrived, by front_desk@clinic-a.test" in shown
    assert "Marked completed" in shown
    assert [e.target for e in _audits(app, "booking.arrived")] == [f"booking:{booking_id}"]
    # A made-up mark is refused and changes nothing.
    token = csrf_token(desk.get(page).text)
    before = row_counts(app)
    refused = desk.post(f"{page}/attendance", data={"csrf_token": token, "mark": "paid"})
    assert refused.status_code == 400
    assert row_counts(app) == before


def test_cancel_with_a_reason_telling_the_client_or_not(app, make_tenant, booked, signed_in_client):
    tenant = make_tenant("clinic-a")
    told, _ = booked(tenant)
    quiet, _ = booked(tenant, 4, email="bo@example.com")
    desk = signed_in_client(tenant, "owner")
    before_mail = len(_outbox(app))

    # No reason: the form comes back with the error beside the field, nothing changed.
    token = csrf_token(desk.get(f"/studio/bookings/{told}/cancel").text)
    before = row_counts(app)
    refused = desk.post(
        f"/studio/bookings/{told}/cancel",
        data={"csrf_token": token, "tell_client": "y", "note": ""},
    )
    assert refused.status_code == 400 and "Please say why" in refused.text
    assert row_counts(app) == before

    note = "Practitioner unwell"
    assert (
        _post(desk, f"/studio/bookings/{told}/cancel", note=note, tell_client="y").status_code
        == 303
    )
    cancelled = _booking(app, told)
    assert cancelled.status == "cancelled" and cancelled.cancel_note == note
    mail = _outbox(app)[before_mail:]
    assert [(m.kind, m.recipient) for m in mail] == [("cancelled", "ada@example.com")]
    assert note not in mail[0].body_text and REASON not in mail[0].body_text

    assert _post(desk, f"/studio/bookings/{quiet}/cancel", note="Asked by phone").status_code == 303
    assert _booking(app, quiet).status == "cancelled"
    assert len(_outbox(app)) == before_mail + 1  # the client was not e-mailed
    with app.app_context():
        assert db.session.scalars(select(SlotClaim)).all() == []  # both times are free again
    page = desk.get(f"/studio/bookings/{told}").text
    assert "Cancelled by the clinic, by owner@clinic-a.test" in page and note in page
    events = _audits(app, "booking.cancel")
    assert len(events) == 2 and all(note not in str(e.details) for e in events)


def test_move_on_the_clients_behalf_is_the_visitors_swap(
    app, make_tenant, booked, signed_in_client
):
    tenant = make_tenant("clinic-a")
    booking_id, start = booked(tenant)
    desk = signed_in_client(tenant, "front_desk")
    page = desk.get(f"/studio/bookings/{booking_id}/move")
    assert page.status_code == 200
    later = start + timedelta(days=1)
    while later.weekday() >= 5:
        later += timedelta(days=1)
    response = desk.post(
        f"/studio/bookings/{booking_id}/move",
        data={"csrf_token": csrf_token(page.text), "start": later.isoformat(), "tell_client": "y"},
    )
    assert response.status_code == 303, response.text
    with app.app_context():
        old = db.session.get(Booking, booking_id)
        new = db.session.get(Booking, old.rescheduled_to_id)
        assert old.status == "rescheduled" and new.status == "confirmed"
        assert new.starts_at == later and new.reason == REASON
        assert {c.booking_id for c in db.session.scalars(select(SlotClaim))} == {new.id}
        moved_mail = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.booking_id == new.id)
        ).all()
        assert [m.kind for m in moved_mail] == ["confirmation"]  # the client; not the clinic
        new_id = new.id
    assert response.headers["Location"].endswith(f"/studio/bookings/{new_id}")
    assert [e.target for e in _audits(app, "booking.reschedule")] == [f"booking:{new_id}"]
    history = desk.get(f"/studio/bookings/{new_id}").text
    assert "Booked online, by the client" in history
    assert "Rescheduled on the client" in history


def test_a_taken_time_is_refused_with_other_free_times(
    app, make_tenant, make_service, next_free, booked, signed_in_client
):
    tenant = make_tenant("clinic-a")
    service = make_service(tenant)
    mine, _ = booked(tenant, service=service)
    _, theirs = booked(tenant, 3, service=service, email="bo@example.com")
    desk = signed_in_client(tenant, "front_desk")
    page = desk.get(f"/studio/bookings/{mine}/move")
    before = row_counts(app)
    response = desk.post(
        f"/studio/bookings/{mine}/move",
        data={"csrf_token": csrf_token(page.text), "start": theirs.isoformat()},
    )
    assert response.status_code == 409
    assert "just taken" in response.text and 'name="start"' in response.text
    assert row_counts(app) == before


def _new_url(tenant, service, day, practitioner=None) -> str:
    url = f"/studio/bookings/new?location={tenant.locations[0].id}&service={service.id}&day={day}"
    return url + (f"&practitioner={practitioner}" if practitioner else "")


CLIENT = {
    "name": "Grace Hopper",
    "email": "grace@example.com",
    "phone": "020 7946 0019",
    "reason": REASON,
    "consent": "y",
}


def test_book_for_a_client_who_phones_with_or_without_the_email(
    app, make_tenant, make_service, next_free, signed_in_client
):
    tenant = make_tenant("clinic-a")
    service = make_service(tenant, min_notice_minutes=24 * 60)  # online: a day's notice
    desk = signed_in_client(tenant, "front_desk")
    start = next_free(tenant, service)
    day = start.astimezone(ZoneInfo("Europe/London")).date().isoformat()
    url = _new_url(tenant, service, day)
    page = desk.get(url)
    assert page.status_code == 200 and start.isoformat() in page.text
    response = desk.post(
        url,
        data={
            "csrf_token": csrf_token(page.text),
            "location": tenant.locations[0].id,
            "service": service.id,
            "start": start.isoformat(),
            "tell_client": "y",
        }
        | CLIENT,
    )
    assert response.status_code == 303, response.text
    with app.app_context():
        booking = db.session.scalars(select(Booking)).one()
        assert (booking.client_name, booking.client_phone, booking.reason) == (
            "Grace Hopper",
            "+442079460019",
            REASON,
        )
        mail = db.session.scalars(select(OutboxMessage)).all()
        assert [(m.kind, m.recipient) for m in mail] == [("confirmation", "grace@example.com")]
        assert all(REASON not in (m.body_text + (m.body_html or "")) for m in mail)
        first_id = booking.id
    assert [e.target for e in _audits(app, "booking.create")] == [f"booking:{first_id}"]
    assert "Booked for the client by phone" in desk.get(f"/studio/bookings/{first_id}").text

    # Without the e-mail: the first time the desk can book from today on.
    soon_day = datetime.now(UTC).astimezone(ZoneInfo("Europe/London")).date()
    while True:
        page = desk.get(_new_url(tenant, service, soon_day.isoformat()))
        if 'type="radio" name="start" value="' in page.text:
            break
        soon_day += timedelta(days=1)
    soon = page.text.split('type="radio" name="start" value="')[1].split('"')[0]
    response = desk.post(
        _new_url(tenant, service, soon_day.isoformat()),
        data={
            "csrf_token": csrf_token(page.text),
            "location": tenant.locations[0].id,
            "service": service.id,
            "start": soon,
        }
        | CLIENT
        | {"email": "quiet@example.com"},
    )
    assert response.status_code == 303, response.text
    with app.app_context():
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 1
        quiet = db.session.scalars(
            select(Booking).where(Booking.client_email == "quiet@example.com")
        ).one()
        assert quiet.starts_at == datetime.fromisoformat(soon)


def test_the_desk_books_sooner_than_online_notice_allows(app, make_tenant, make_service):
    """Online, a day's notice; the desk may book the next free hour (same guard)."""
    from meridian.booking import service as booking_service
    from meridian.models import Practitioner, Tenant

    tenant = make_tenant("clinic-a")
    service = make_service(tenant, min_notice_minutes=24 * 60)
    now = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)  # a Monday, 9:00 in London
    start = now + timedelta(hours=1)
    with app.app_context():
        args = (
            db.session.get(Tenant, tenant.id),
            db.session.get(Location, tenant.locations[0].id),
            db.session.get(Service, service.id),
            start,
        )
        fields = dict(name="Grace Hopper", email="g@example.com", phone="+442079460019", now=now)
        try:
            booking_service.place_booking(*args, **fields)
        except booking_service.BookingError as exc:
            assert "too soon" in exc.message
        else:
            raise AssertionError("the visitor's notice was not applied")
        booking = booking_service.place_booking(*args, **fields, at_desk=True)
        assert booking.starts_at == start
        pat = db.session.scalars(select(Practitioner)).one()
        again = booking_service.BookingError
        try:
            booking_service.place_booking(
                *args, **fields | {"email": "h@example.com"}, at_desk=True, practitioner=pat
            )
        except again as exc:
            assert "taken" in exc.message
        else:
            raise AssertionError("double booked at the desk")


def test_missing_details_come_back_with_the_input_kept(
    app, make_tenant, make_service, next_free, signed_in_client
):
    tenant = make_tenant("clinic-a")
    service = make_service(tenant)
    desk = signed_in_client(tenant, "front_desk")
    start = next_free(tenant, service)
    url = _new_url(tenant, service, start.date().isoformat())
    page = desk.get(url)
    before = row_counts(app)
    response = desk.post(
        url,
        data={
            "csrf_token": csrf_token(page.text),
            "location": tenant.locations[0].id,
            "service": service.id,
            "start": start.isoformat(),
            "name": "Grace Hopper",
            "email": "not-an-address",
            "phone": "123",
        },
    )
    assert response.status_code == 400
    assert 'value="Grace Hopper"' in response.text
    assert "valid e-mail address" in response.text and "valid phone number" in response.text
    assert row_counts(app) == before


def test_outside_hours_is_the_owners_choice_and_still_guarded(
    app, make_tenant, make_service, next_free, booked, signed_in_client
):
    tenant = make_tenant("clinic-a")
    service = make_service(tenant)
    start = next_free(tenant, service)
    local = start.astimezone(ZoneInfo("Europe/London"))
    day = local.date().isoformat()
    with app.app_context():
        from meridian.models import Practitioner

        pat = db.session.scalars(select(Practitioner)).one().id
    url = _new_url(tenant, service, day, pat)
    for role, expected in (("front_desk", 400), ("owner", 303)):
        client = signed_in_client(tenant, role)
        page = client.get(url)
        assert ('value="other"' in page.text) == (role == "owner")
        response = client.post(
            url,
            data={
                "csrf_token": csrf_token(page.text),
                "location": tenant.locations[0].id,
                "service": service.id,
                "practitioner": pat,
                "start": "other",
                "other_time": "19:30",
            }
            | CLIENT,
        )
        assert response.status_code == expected, (role, response.text)
    with app.app_context():
        booking = db.session.scalars(select(Booking)).one()
        assert booking.starts_at.astimezone(ZoneInfo("Europe/London")).strftime("%H:%M") == "19:30"
    # Over a booking of the same practitioner: the database refuses it.
    booked(tenant, service=service, email="bo@example.com")
    owner = signed_in_client(tenant, "owner", email="owner2@clinic-a.test")
    page = owner.get(url)
    before = row_counts(app)
    response = owner.post(
        url,
        data={
            "csrf_token": csrf_token(page.text),
            "location": tenant.locations[0].id,
            "service": service.id,
            "practitioner": pat,
            "start": "other",
            "other_time": local.strftime("%H:%M"),
        }
        | CLIENT,
    )
    assert response.status_code == 409 and "just taken" in response.text
    assert row_counts(app) == before


def test_the_desk_and_a_visitor_race_for_the_last_time_and_exactly_one_wins(
    app, make_tenant, make_service, next_free, signed_in_client, client_for, book_via_http
):
    tenant = make_tenant("clinic-a")
    service = make_service(tenant)
    start = next_free(tenant, service)
    owner = signed_in_client(tenant, "owner")
    url = _new_url(tenant, service, start.astimezone(ZoneInfo("Europe/London")).date().isoformat())
    desk_page = owner.get(url)
    visitor = client_for(tenant)
    visitor_page = visitor.get(
        "/book/details",
        query_string={
            "location": tenant.locations[0].id,
            "service": service.id,
            "start": start.isoformat(),
        },
    )
    barrier = threading.Barrier(2)
    results = {}

    def desk_books():
        barrier.wait()
        results["desk"] = owner.post(
            url,
            data={
                "csrf_token": csrf_token(desk_page.text),
                "location": tenant.locations[0].id,
                "service": service.id,
                "start": start.isoformat(),
            }
            | CLIENT,
        )

    def visitor_books():
        barrier.wait()
        results["visitor"] = visitor.post(
            "/book/details",
            data={
                "csrf_token": csrf_token(visitor_page.text),
                "location": tenant.locations[0].id,
                "service": service.id,
                "start": start.isoformat(),
                "name": "Ada Lovelace",
                "email": "ada@example.com",
                "phone": "020 7946 0018",
                "consent": "y",
            },
        )

    threads = [threading.Thread(target=desk_books), threading.Thread(target=visitor_books)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(r.status_code for r in results.values())
    assert codes[0] == 303 and codes[1] in (200, 409), codes
    loser = next(r for r in results.values() if r.status_code != 303)
    assert "taken" in loser.text
    with app.app_context():
        assert len(db.session.scalars(select(Booking).where(Booking.starts_at == start)).all()) == 1


def test_block_time_for_a_practitioner_and_close_a_location(
    app, make_tenant, make_service, next_free, booked, signed_in_client
):
    tenant = make_tenant("clinic-a")
    service = make_service(tenant)
    _, start = booked(tenant, service=service)
    local = start.astimezone(ZoneInfo("Europe/London"))
    desk = signed_in_client(tenant, "front_desk")
    with app.app_context():
        from meridian.models import Practitioner

        pat = db.session.scalars(select(Practitioner)).one().id
    page = desk.get(f"/studio/bookings/block?day={local.date().isoformat()}")
    assert page.status_code == 200
    bad = desk.post(
        "/studio/bookings/block",
        data={
            "csrf_token": csrf_token(page.text),
            "what": f"practitioner:{pat}",
            "day": local.date().isoformat(),
            "starts": "12:00",
            "ends": "11:00",
        },
    )
    assert bad.status_code == 400 and "later than the start" in bad.text
    response = desk.post(
        "/studio/bookings/block",
        data={
            "csrf_token": csrf_token(page.text),
            "what": f"practitioner:{pat}",
            "day": local.date().isoformat(),
            "starts": "09:00",
            "ends": "17:00",
            "note": "Course",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200 and "1 booking in that time is kept" in response.text
    with app.app_context():
        off = db.session.scalars(select(TimeOff)).one()
        assert off.starts_at.astimezone(ZoneInfo("Europe/London")).hour == 9
        location = db.session.get(Location, tenant.locations[0].id)
        slots = availability(location, db.session.get(Service, service.id)).slots
        assert slots.get(local.date(), []) == []
    response = desk.post(
        "/studio/bookings/block",
        data={
            "csrf_token": csrf_token(page.text),
            "what": f"location:{tenant.locations[0].id}",
            "day": (local.date() + timedelta(days=1)).isoformat(),
            "note": "Boiler",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        closure = db.session.scalars(select(Closure)).one()
        assert closure.day == local.date() + timedelta(days=1) and not closure.is_open
    assert len(_audits(app, "time_off.add")) == 1 and len(_audits(app, "closure.add")) == 1


def test_send_again_queues_a_copy(app, make_tenant, booked, signed_in_client):
    tenant = make_tenant("clinic-a")
    booking_id, _ = booked(tenant)
    desk = signed_in_client(tenant, "front_desk")
    first = _outbox(app)[0]
    page = f"/studio/bookings/{booking_id}"
    response = _post(desk, f"{page}/emails/{first.id}/resend", page)
    assert response.status_code == 303
    copy = _outbox(app)[-1]
    assert copy.id != first.id and copy.status == "queued"
    assert (copy.recipient, copy.subject, copy.body_text) == (
        first.recipient,
        first.subject,
        first.body_text,
    )
    assert len(_audits(app, "booking.resend")) == 1
