"""Cancel and reschedule links: signed, expiring, single use, tenant-bound."""

from __future__ import annotations

import re
import time as clock

import pytest
from sqlalchemy import func, select

from meridian.booking.tokens import make_token
from meridian.extensions import db
from meridian.models import Booking, OutboxMessage, SlotClaim
from tests.factories import csrf_token


@pytest.fixture
def booked(app, make_tenant, make_service, next_free, book_via_http):
    """A tenant with one booking; returns (tenant, service, booking)."""
    tenant = make_tenant("clinic-a", change_cutoff_hours=0)  # links work until the start
    service = make_service(tenant)
    assert book_via_http(tenant, service, next_free(tenant, service, 2)).status_code == 303
    with app.app_context():
        booking = db.session.scalars(select(Booking)).one()
        db.session.expunge(booking)
    return tenant, service, booking


def link(app, booking, action) -> str:
    with app.app_context():
        return f"/book/{action}/{make_token(booking, action)}"


def links_in_email(app, booking_id) -> dict[str, str]:
    with app.app_context():
        body = db.session.scalars(
            select(OutboxMessage.body_text).where(
                OutboxMessage.booking_id == booking_id, OutboxMessage.kind == "confirmation"
            )
        ).one()
    found = dict(re.findall(r"(Reschedule|Cancel): http://[^/]+(/book/\S+)", body))
    return {"cancel": found["Cancel"], "reschedule": found["Reschedule"]}


def post_with_token(client, url, **data):
    page = client.get(url)
    assert page.status_code == 200, page.text
    return client.post(url, data={"csrf_token": csrf_token(page.text)} | data)


def test_cancel_frees_the_slot_tells_the_clinic_and_is_single_use(app, booked, client_for):
    tenant, _, booking = booked
    url = links_in_email(app, booking.id)["cancel"]
    client = client_for(tenant)
    done = post_with_token(client, url)
    assert done.status_code == 200 and "is cancelled" in done.text
    with app.app_context():
        row = db.session.get(Booking, booking.id)
        assert row.status == "cancelled" and row.cancelled_at is not None
        claims = db.session.scalar(select(func.count()).select_from(SlotClaim))
        assert claims == 0
        kinds = set(db.session.scalars(select(OutboxMessage.kind)))
        assert {"cancelled", "clinic-cancelled"} <= kinds
    again = client.get(url)
    assert again.status_code == 410 and "already cancelled" in again.text


def test_tampered_and_expired_links_say_so(app, booked, client_for, monkeypatch):
    tenant, _, booking = booked
    client = client_for(tenant)
    url = link(app, booking, "cancel")
    tampered = client.get(url[:-3] + ("aaa" if not url.endswith("aaa") else "bbb"))
    assert tampered.status_code == 400 and "not valid" in tampered.text
    # A token minted 100 days ago is past BOOKING_LINK_MAX_AGE (90 days).
    real = clock.time
    monkeypatch.setattr(clock, "time", lambda: real() - 100 * 86_400)
    old = link(app, booking, "cancel")
    monkeypatch.setattr(clock, "time", real)
    expired = client.get(old)
    assert expired.status_code == 400 and "expired" in expired.text
    # A cancel token is not a reschedule token.
    swapped = client.get(url.replace("/cancel/", "/reschedule/"))
    assert swapped.status_code == 400
    with app.app_context():
        assert db.session.get(Booking, booking.id).status == "confirmed"


def test_reschedule_is_one_atomic_swap_and_old_link_says_where_it_moved(
    app, booked, client_for, next_free
):
    tenant, service, booking = booked
    urls = links_in_email(app, booking.id)
    client = client_for(tenant)
    new_start = next_free(tenant, service, 20)
    done = post_with_token(client, urls["reschedule"], start=new_start.isoformat())
    assert done.status_code == 200 and "has moved" in done.text, done.text
    with app.app_context():
        rows = db.session.scalars(select(Booking).order_by(Booking.id)).all()
        assert [r.status for r in rows] == ["rescheduled", "confirmed"]
        old, new = rows
        assert old.rescheduled_to_id == new.id and new.starts_at == new_start
        claims = db.session.scalars(select(SlotClaim.booking_id)).all()
        assert set(claims) == {new.id}
        assert {"confirmation", "clinic-moved"} <= set(
            db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.booking_id == new.id))
        )
    # The old links now explain where the booking went.
    for url in urls.values():
        old_page = client.get(url)
        assert old_page.status_code == 410
        assert "has moved" in old_page.text and new.reference in old_page.text
    # The old slot is free again.
    with app.app_context():
        from meridian.booking.service import availability
        from meridian.models import Location, Service

        slots = availability(
            db.session.get(Location, tenant.locations[0].id), db.session.get(Service, service.id)
        ).slots
        assert booking.starts_at in [s for day in slots.values() for s in day]


def test_reschedule_onto_a_taken_time_keeps_the_original(
    app, booked, client_for, book_via_http, next_free
):
    tenant, service, booking = booked
    other_start = next_free(tenant, service, 10)
    assert (
        book_via_http(
            tenant, service, other_start, email="b@example.com", phone="020 7946 0555"
        ).status_code
        == 303
    )
    url = link(app, booking, "reschedule")
    answer = post_with_token(client_for(tenant), url, start=other_start.isoformat())
    assert answer.status_code == 409 and "just taken" in answer.text
    with app.app_context():
        assert db.session.get(Booking, booking.id).status == "confirmed"
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 2


def test_another_clinics_host_can_never_see_cancel_or_reschedule(
    app, booked, make_tenant, client_for
):
    tenant, service, booking = booked
    other = make_tenant("clinic-b")
    intruder = client_for(other)
    for action in ("cancel", "reschedule"):
        url = link(app, booking, action)
        assert intruder.get(url).status_code == 404
        assert intruder.post(url, data={}).status_code in (400, 404)
    assert intruder.get(f"/book/confirmed/{booking.reference}").status_code == 404
    # Even with the booking browser's session, another host does not show it.
    with app.app_context():
        assert db.session.get(Booking, booking.id).status == "confirmed"


def test_every_booking_route_refuses_the_platform_host_and_unknown_hosts(app, booked, client_for):
    _, _, booking = booked
    for host in ("localhost", "unknown.example"):
        client = client_for(host)
        for url in (
            "/book",
            "/book/details",
            f"/book/confirmed/{booking.reference}",
            link(app, booking, "cancel"),
            link(app, booking, "reschedule"),
        ):
            assert client.get(url).status_code == 404, (host, url)
