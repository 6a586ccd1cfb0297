"""Every desk route against the other clinic's ids: clinic A's owner and front desk
reach none of clinic B's bookings, e-mails, blocked times or clients, and nothing
changes in the database. (tests/test_access.py walks the same routes as signed-out,
other-clinic and too-small-role visitors.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from meridian.extensions import db
from meridian.models import Closure, Location, OutboxMessage, Practitioner, Service, TimeOff

from ..factories import csrf_token, plant_session, row_counts
from ..test_access import ROUTES
from .conftest import REASON
from .test_actions import CLIENT

#: Desk endpoints and the ids they take; the test below must name every one.
DESK_ENDPOINTS = {
    "studio.bookings",
    "studio.booking",
    "studio.booking_mark",
    "studio.booking_cancel",
    "studio.booking_move",
    "studio.booking_resend",
    "studio.booking_new",
    "studio.block_time",
    "studio.desk_time_off_remove",
    "studio.desk_closure_remove",
    "studio.bookings_export",
}
#: The member's own calendar feed pages (no ids: each acts on the signed-in member).
FEED_ENDPOINTS = {"studio.calendar_feed", "studio.calendar_feed_new", "studio.calendar_feed_off"}


def test_the_list_names_every_desk_route():
    desk = {
        endpoint
        for endpoint, _, url in ROUTES
        if url.startswith(("/studio/bookings", "/studio/clients", "/studio/calendar"))
    }
    assert desk == DESK_ENDPOINTS | CLIENT_ENDPOINTS | FEED_ENDPOINTS


CLIENT_ENDPOINTS = {
    "studio.clients",
    "studio.client",
    "studio.client_export",
    "studio.client_erase",
}


@pytest.fixture
def two_clinics(app, make_tenant, booked):
    a, b = make_tenant("clinic-a"), make_tenant("clinic-b")
    mine, _ = booked(a)
    theirs, _ = booked(b)
    with app.app_context():
        pat_b = db.session.scalars(select(Practitioner).filter_by(tenant_id=b.id)).one()
        off = TimeOff(
            tenant_id=b.id,
            practitioner_id=pat_b.id,
            starts_at=datetime.now(UTC) + timedelta(days=3),
            ends_at=datetime.now(UTC) + timedelta(days=3, hours=2),
        )
        closure = Closure(
            tenant_id=b.id,
            location_id=b.locations[0].id,
            day=(datetime.now(UTC) + timedelta(days=4)).date(),
        )
        db.session.add_all([off, closure])
        db.session.commit()
        message = db.session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.booking_id == theirs)
        ).first()
        ids = {
            "mine": mine,
            "theirs": theirs,
            "message": message,
            "off": off.id,
            "closure": closure.id,
            "pat_b": pat_b.id,
            "service_b": db.session.scalars(select(Service.id).filter_by(tenant_id=b.id)).one(),
        }
    return a, b, ids


def _refused(role: str, url: str) -> tuple[int, ...]:
    """Not found; or, for the owners-only export and erase, forbidden to the front desk."""
    owners_only = url.endswith(("/export", "/erase"))
    return (403,) if owners_only and role == "front_desk" else (404,)


@pytest.mark.parametrize("role", ["owner", "front_desk"])
def test_clinic_a_reaches_nothing_of_clinic_b(app, two_clinics, signed_in_client, role):
    a, b, ids = two_clinics
    client = signed_in_client(a, role)
    token = csrf_token(client.get("/studio/bookings").text)
    theirs = ids["theirs"]
    gets = [
        f"/studio/clients/{theirs}",
        f"/studio/clients/{theirs}/erase",
        f"/studio/bookings/{theirs}",
        f"/studio/bookings/{theirs}/cancel",
        f"/studio/bookings/{theirs}/move",
    ]
    posts = [
        (f"/studio/clients/{theirs}/export", {}),
        (f"/studio/clients/{theirs}/erase", {"confirm": "y"}),
        (f"/studio/bookings/{theirs}/attendance", {"mark": "arrived"}),
        (f"/studio/bookings/{theirs}/cancel", {"note": "x", "tell_client": "y"}),
        (f"/studio/bookings/{theirs}/move", {"start": "2031-03-03T10:00:00+00:00"}),
        (f"/studio/bookings/{theirs}/emails/{ids['message']}/resend", {}),
        (f"/studio/bookings/{ids['mine']}/emails/{ids['message']}/resend", {}),
        (f"/studio/bookings/time-off/{ids['off']}/remove", {}),
        (f"/studio/bookings/closures/{ids['closure']}/remove", {}),
    ]
    before = row_counts(app)
    for url in gets:
        response = client.get(url)
        assert response.status_code in _refused(role, url), url
        assert REASON not in response.text and "ada@example.com" not in response.text
    for url, data in posts:
        response = client.post(url, data={"csrf_token": token} | data)
        assert response.status_code in _refused(role, url), url
    # Clinic B's location, service and practitioner are not choices here.
    b_location = b.locations[0].id
    page = client.get(f"/studio/bookings/new?location={b_location}&practitioner={ids['pat_b']}")
    assert page.status_code == 200 and "Main clinic" in page.text  # clinic A's own
    refused = client.post(
        f"/studio/bookings/new?location={b_location}&service={ids['service_b']}",
        data={"csrf_token": token, "start": "2031-03-03T10:00:00+00:00"} | CLIENT,
    )
    assert refused.status_code == 400
    refused = client.post(
        "/studio/bookings/block",
        data={
            "csrf_token": token,
            "what": f"practitioner:{ids['pat_b']}",
            "day": "2031-03-03",
            "starts": "09:00",
            "ends": "10:00",
        },
    )
    assert refused.status_code == 400
    refused = client.post(
        "/studio/bookings/block",
        data={"csrf_token": token, "what": f"location:{b_location}", "day": "2031-03-03"},
    )
    assert refused.status_code == 400
    # Both clinics have a client "ada@example.com": A's list and search show only A's.
    found = client.post("/studio/clients", data={"csrf_token": token, "q": "ada"})
    assert f"/studio/clients/{ids['mine']}" in found.text
    assert f"/studio/clients/{theirs}" not in found.text
    assert row_counts(app) == before


def test_booking_notification_settings_are_the_clinics_owners_only(
    app, make_tenant, make_member, signed_in_client, client_for
):
    """Who receives a location's booking notices: clinic A's owner cannot change clinic
    B's or choose B's staff; B's owner (cookie replayed on A), a signed-out visitor and
    A's front desk and editor are refused; nothing changes in the database."""
    a, b = make_tenant("clinic-a"), make_tenant("clinic-b")
    a_desk = make_member(a, "front_desk")
    b_desk = make_member(b, "front_desk")
    a_location, b_location = a.locations[0].id, b.locations[0].id
    owner = signed_in_client(a, "owner")
    before = row_counts(app)

    assert owner.get(f"/studio/locations/{b_location}").status_code == 404
    choose = {"csrf_token": owner.csrf, "members": str(a_desk.id), "addresses": "x@evil.test"}
    assert (
        owner.post(f"/studio/locations/{b_location}/notifications", data=choose).status_code == 404
    )
    refused = owner.post(
        f"/studio/locations/{a_location}/notifications",
        data={"csrf_token": owner.csrf, "members": str(b_desk.id)},
    )
    assert refused.status_code == 400
    assert b_desk.email not in refused.text
    assert row_counts(app) == before

    b_owner = make_member(b, "owner")
    replayed = client_for(a)
    token = plant_session(replayed, a.primary_host, b_owner, b)
    visitors = [(replayed, token)]
    anonymous = client_for(a)
    visitors.append((anonymous, plant_session(anonymous, a.primary_host, None, None)))
    for role in ("front_desk", "editor"):
        member = signed_in_client(a, role, email=f"{role}-2@clinic-a.test")
        visitors.append((member, member.csrf))
    before = row_counts(app)
    for client, csrf in visitors:
        for location_id in (a_location, b_location):
            response = client.post(
                f"/studio/locations/{location_id}/notifications",
                data={"csrf_token": csrf, "members": str(a_desk.id), "addresses": "x@evil.test"},
            )
            assert response.status_code in (302, 303, 401, 403, 404), response.status_code
            if response.status_code in (302, 303):
                assert "/sign-in" in response.headers["Location"]
    assert row_counts(app) == before
    with app.app_context():
        for location_id in (a_location, b_location):
            location = db.session.get(Location, location_id)
            assert location.notify_location_email is True and location.notify_addresses == []
