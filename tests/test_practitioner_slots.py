"""Free times per practitioner, from the database: hours at two locations, bookings
anywhere, time off, DST in both zones, retirement, and "first available"."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from meridian.booking import service as booking_service
from meridian.booking.availability import availability
from meridian.extensions import db
from meridian.models import (
    Location,
    OpeningHours,
    Practitioner,
    PractitionerHours,
    Service,
    Tenant,
    TimeOff,
)

LONDON = ZoneInfo("Europe/London")
# A Monday in June, far enough ahead for any minimum notice; "now" a week before.
MONDAY = date(2031, 6, 2)
NOW = datetime(2031, 5, 26, 8, 0, tzinfo=UTC)


def load(tenant_id, location_id, service_id, slug=None):
    tenant = db.session.get(Tenant, tenant_id)
    location = db.session.get(Location, location_id)
    service = db.session.get(Service, service_id)
    person = (
        db.session.scalars(select(Practitioner).filter_by(tenant_id=tenant_id, slug=slug)).one()
        if slug
        else None
    )
    return tenant, location, service, person


def set_hours(tenant_id, slug, location_id, week) -> None:
    """Replace a practitioner's hours at one location with `week` [(weekday, h1, h2)]."""
    person = db.session.scalars(
        select(Practitioner).filter_by(tenant_id=tenant_id, slug=slug)
    ).one()
    db.session.execute(
        delete(PractitionerHours).where(
            PractitionerHours.practitioner_id == person.id,
            PractitionerHours.location_id == location_id,
        )
    )
    for weekday, opens, closes in week:
        db.session.add(
            PractitionerHours(
                tenant_id=tenant_id,
                practitioner_id=person.id,
                location_id=location_id,
                weekday=weekday,
                opens=time(opens),
                closes=time(closes),
            )
        )
    db.session.commit()


def local_times(slots, day) -> list[time]:
    return [s.astimezone(LONDON).time() for s in slots.get(day, [])]


def book(tenant, location, service, start, person=None, n=0):
    return booking_service.place_booking(
        tenant,
        location,
        service,
        start,
        name=f"Client {n}",
        email=f"client{n}@example.com",
        phone=f"+4420794600{n:02d}",
        practitioner=person,
        now=NOW,
    )


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON).astimezone(UTC)


@pytest.fixture
def two_places(app, make_tenant, make_service, add_location):
    """Pat works Mondays at the main location and Tuesdays at the annex, and Wednesday
    afternoons at both (whichever is booked first)."""
    tenant = make_tenant()
    service = make_service(tenant, duration_minutes=60, buffer_minutes=0)
    annex = add_location(tenant, "annex", practitioners=("pat",))
    main = tenant.locations[0].id
    with app.app_context():
        set_hours(tenant.id, "pat", main, [(0, 9, 17), (2, 13, 17)])
        set_hours(tenant.id, "pat", annex, [(1, 9, 17), (2, 13, 17)])
    return tenant, service, main, annex


def test_hours_at_two_locations(app, two_places):
    tenant, service, main, annex = two_places
    with app.app_context():
        _, here, svc, _ = load(tenant.id, main, service.id)
        _, there, _, _ = load(tenant.id, annex, service.id)
        week = MONDAY + timedelta(days=6)
        at_main = availability(here, svc, NOW, MONDAY, week).slots
        at_annex = availability(there, svc, NOW, MONDAY, week).slots
        assert sorted(at_main) == [MONDAY, MONDAY + timedelta(days=2)]
        assert sorted(at_annex) == [MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)]
        assert local_times(at_main, MONDAY)[0] == time(9)
        assert local_times(at_main, MONDAY)[-1] == time(16)  # a 60-minute visit ends by 17:00
        assert local_times(at_annex, MONDAY + timedelta(days=2))[0] == time(13)


def test_a_booking_at_one_location_takes_the_practitioner_away_from_the_other(
    app, two_places, add_practitioner
):
    tenant, service, main, annex = two_places
    wednesday = MONDAY + timedelta(days=2)
    with app.app_context():
        t, here, svc, pat = load(tenant.id, main, service.id, "pat")
        _, there, _, _ = load(tenant.id, annex, service.id)
        book(t, here, svc, at(wednesday, 14), pat)
        annex_times = local_times(
            availability(there, svc, NOW, wednesday, wednesday).slots, wednesday
        )
        # 14:00-15:00 is taken at main: at the annex nothing may overlap it.
        assert time(13) in annex_times and time(15) in annex_times
        assert not [t for t in annex_times if time(13, 15) <= t < time(15)]
        # The database says the same, whatever the read said.
        with pytest.raises(booking_service.SlotTaken):
            book(t, there, svc, at(wednesday, 14, 30), pat, n=1)


def test_time_off_removes_times_at_every_location(app, two_places):
    tenant, service, main, annex = two_places
    with app.app_context():
        t, here, svc, pat = load(tenant.id, main, service.id, "pat")
        _, there, _, _ = load(tenant.id, annex, service.id)
        # Away from Monday 12:00 to the end of Tuesday.
        db.session.add(
            TimeOff(
                tenant_id=t.id,
                practitioner_id=pat.id,
                starts_at=at(MONDAY, 12),
                ends_at=at(MONDAY + timedelta(days=2), 0),
            )
        )
        db.session.commit()
        monday = local_times(availability(here, svc, NOW, MONDAY, MONDAY).slots, MONDAY)
        assert monday[-1] == time(11)  # 11:00-12:00 is the last visit before leaving
        tuesday = MONDAY + timedelta(days=1)
        assert availability(there, svc, NOW, tuesday, tuesday).slots == {}
        with pytest.raises(booking_service.BookingError):
            book(t, there, svc, at(tuesday, 10), pat)


def test_hours_outside_opening_hours_and_on_closed_days_offer_nothing(app, two_places):
    tenant, service, main, _ = two_places
    with app.app_context():
        set_hours(tenant.id, "pat", main, [(0, 7, 10), (5, 9, 12)])  # early Mon; Saturday
        _, here, svc, _ = load(tenant.id, main, service.id)
        slots = availability(here, svc, NOW, MONDAY, MONDAY + timedelta(days=6)).slots
        assert sorted(slots) == [MONDAY]  # the location is shut on Saturdays
        assert local_times(slots, MONDAY) == [time(9)]  # the door opens at 9


def test_retired_practitioners_and_services_they_do_not_offer_have_no_times(
    app, make_tenant, make_service, add_practitioner
):
    tenant = make_tenant()
    add_practitioner(tenant, "sam")
    only_sam = make_service(tenant, "acupressure", offered_by=("sam",))
    with app.app_context():
        t, here, svc, pat = load(tenant.id, tenant.locations[0].id, only_sam.id, "pat")
        assert availability(here, svc, NOW, practitioner=pat).slots == {}
        assert availability(here, svc, NOW).slots  # Sam offers it
        sam = db.session.scalars(select(Practitioner).filter_by(slug="sam")).one()
        sam.active = False
        db.session.commit()
        assert availability(here, svc, NOW).slots == {}


def test_first_available_spreads_the_days_bookings(
    app, make_tenant, make_service, add_practitioner
):
    tenant = make_tenant()
    add_practitioner(tenant, "sam")
    service = make_service(tenant, duration_minutes=30, buffer_minutes=0)
    with app.app_context():
        t, here, svc, _ = load(tenant.id, tenant.locations[0].id, service.id)
        team = [book(t, here, svc, at(MONDAY, 9 + n), None, n).practitioner.slug for n in range(4)]
        # Pat first (team order), then whoever has fewer that day: they alternate.
        assert team == ["pat", "sam", "pat", "sam"]
        # A new day starts even (two each this week): team order, then Pat is busier.
        first = book(t, here, svc, at(MONDAY + timedelta(days=1), 9), None, 10)
        assert first.practitioner.slug == "pat"
        tuesday = [book(t, here, svc, at(MONDAY + timedelta(days=1), 10), None, 11)]
        assert tuesday[0].practitioner.slug == "sam"
        # At a time only one of them is free, first available books that one.
        pat = db.session.scalars(select(Practitioner).filter_by(slug="pat")).one()
        book(t, here, svc, at(MONDAY + timedelta(days=2), 9), pat, 12)
        third = book(t, here, svc, at(MONDAY + timedelta(days=2), 9), None, 13)
        assert third.practitioner.slug == "sam"
        with pytest.raises(booking_service.SlotTaken):
            book(t, here, svc, at(MONDAY + timedelta(days=2), 9), None, 14)


# (zone, the change day, 09:00 local in UTC the day before, the day after)
DST = [
    ("Europe/London", date(2031, 3, 30), 9, 8),
    ("Europe/London", date(2031, 10, 26), 8, 9),
    ("Pacific/Auckland", date(2031, 4, 6), 20, 21),
    ("Pacific/Auckland", date(2031, 9, 28), 21, 20),
]


@pytest.mark.parametrize(("zone", "change", "before", "after"), DST)
def test_practitioner_hours_across_the_clock_change(
    app, make_tenant, make_service, zone, change, before, after
):
    """Pat works 09:00-17:00 every day; 09:00 local maps to the right instant each side
    of the change, in Wellington and in London, and the change day is whole."""
    tenant = make_tenant(timezone=zone)
    service = make_service(tenant, duration_minutes=60, buffer_minutes=0)
    every_day = [(d, 9, 17) for d in range(7)]
    with app.app_context():
        location = db.session.get(Location, tenant.locations[0].id)
        for weekday in (5, 6):
            location.hours.append(
                OpeningHours(tenant_id=tenant.id, weekday=weekday, opens=time(9), closes=time(17))
            )
        location.country = "XX"  # no public holidays in the way
        db.session.commit()
        set_hours(tenant.id, "pat", location.id, every_day)
        _, here, svc, pat = load(tenant.id, location.id, service.id, "pat")
        now = datetime.combine(change - timedelta(days=5), time(0), UTC)
        slots = availability(
            here, svc, now, change - timedelta(days=1), change + timedelta(days=1), practitioner=pat
        ).slots
        tz = ZoneInfo(zone)
        first_before = slots[change - timedelta(days=1)][0]
        first_after = slots[change + timedelta(days=1)][0]
        assert first_before.astimezone(tz).time() == first_after.astimezone(tz).time() == time(9)
        assert first_before.hour == before and first_after.hour == after
        on_change = [s.astimezone(tz).time() for s in slots[change]]
        # Every quarter hour from 09:00 to 16:00 (a 60-minute visit ends by 17:00).
        assert on_change == [time(9 + q // 4, q % 4 * 15) for q in range(29)]
