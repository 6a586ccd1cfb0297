"""The private calendar feed: parses with icalendar, local times right for both clinics'
zones, cancelled bookings kept as CANCELLED, no reason for visit, no cookie, no cache;
a new address retires the old one, and turning it off stops it."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import update

from meridian.extensions import db
from meridian.models import Membership

from ..factories import csrf_token
from .conftest import REASON

ADDRESS = re.compile(r'<code class="feed-address">(http://[^<]+)</code>')


def _turn_on(member_client) -> str:
    page = member_client.get("/studio/calendar-feed")
    assert page.status_code == 200 and "You have no feed" in page.text
    response = member_client.post(
        "/studio/calendar-feed", data={"csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 200
    return ADDRESS.search(response.text).group(1)


@pytest.mark.parametrize("zone", ["Pacific/Auckland", "Europe/London"])
def test_the_feed_parses_and_shows_local_times(
    app, make_tenant, booked, signed_in_client, client_for, zone
):
    tenant = make_tenant("clinic-a", timezone=zone)
    kept, start = booked(tenant)
    gone, _ = booked(tenant, 3, name="Bo Diddley", email="bo@example.com", phone="020 7946 0077")
    owner = signed_in_client(tenant, "owner")
    page = owner.get(f"/studio/bookings/{gone}/cancel")
    owner.post(
        f"/studio/bookings/{gone}/cancel",
        data={"csrf_token": csrf_token(page.text), "note": "Asked by phone"},
    )
    address = _turn_on(owner)
    assert address.startswith("http://clinic-a.test/calendar/") and address.endswith(".ics")
    reader = client_for(tenant)  # a phone's calendar: no session
    response = reader.get(address.removeprefix("http://clinic-a.test"))
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "no-store" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    assert REASON not in response.text
    events = {str(e["SUMMARY"]): e for e in Calendar.from_ical(response.data).walk("VEVENT")}
    mine = events["Ada Lovelace — Consult"]
    local = mine.decoded("DTSTART").astimezone(ZoneInfo(zone))
    assert local == start.astimezone(ZoneInfo(zone))
    assert local.hour >= 9 and local.hour < 17  # inside the location's opening hours
    assert str(mine["STATUS"]) == "CONFIRMED"
    assert str(events["Ada Lovelace — Consult"]["LOCATION"]) == "Main clinic"
    assert str(events["Bo Diddley — Consult"]["STATUS"]) == "CANCELLED"


def test_a_new_address_retires_the_old_and_off_stops_it(
    app, make_tenant, booked, signed_in_client, client_for
):
    a, b = make_tenant("clinic-a"), make_tenant("clinic-b")
    booked(a)
    desk = signed_in_client(a, "front_desk")
    first = _turn_on(desk).removeprefix("http://clinic-a.test")
    reader = client_for(a)
    assert reader.get(first).status_code == 200
    assert client_for(b).get(first).status_code == 404  # another clinic's host
    page = desk.get("/studio/calendar-feed")
    assert "Your feed is on" in page.text and first not in page.text  # shown once only
    again = desk.post("/studio/calendar-feed", data={"csrf_token": csrf_token(page.text)})
    second = ADDRESS.search(again.text).group(1).removeprefix("http://clinic-a.test")
    assert reader.get(first).status_code == 404
    assert reader.get(second).status_code == 200
    # An editor's role never reads clients: demoted, the feed stops.
    with app.app_context():
        db.session.execute(
            update(Membership).where(Membership.role == "front_desk").values(role="editor")
        )
        db.session.commit()
    assert reader.get(second).status_code == 404
    with app.app_context():
        db.session.execute(
            update(Membership).where(Membership.role == "editor").values(role="front_desk")
        )
        db.session.commit()
    assert reader.get(second).status_code == 200
    off = desk.post("/studio/calendar-feed/off", data={"csrf_token": csrf_token(page.text)})
    assert off.status_code == 200 and "You have no feed" in off.text
    assert reader.get(second).status_code == 404
