"""Free times of a service at a location: load the rules and the busy intervals, then
call the pure functions in `slots`.

A constant number of queries whatever the team's size: the location's opening hours
and closures, the practitioners who offer the service there and their hours, their
confirmed bookings anywhere and their time off in the window.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..extensions import db
from ..models import (
    Booking,
    Closure,
    Location,
    OpeningHours,
    Practitioner,
    PractitionerHours,
    PractitionerService,
    Service,
    TimeOff,
    utcnow,
)
from .slots import Rules, first_available, free_slots, holidays_between, within


@dataclass
class Availability:
    """Free times (for one practitioner, or "first available" among the team)."""

    location: Location
    service: Service
    rules: Rules  # the location's: opening hours, closures, holidays
    team: list[Practitioner] = field(default_factory=list)
    rules_by_practitioner: dict[int, Rules] = field(default_factory=dict)
    slots: dict[date, list[datetime]] = field(default_factory=dict)
    who: dict[datetime, list[int]] = field(default_factory=dict)  # free practitioner ids
    booked_per_day: Counter = field(default_factory=Counter)  # (practitioner id, day)
    booked_in_window: Counter = field(default_factory=Counter)  # practitioner id

    def practitioners_free_at(self, start: datetime) -> list[int]:
        return self.who.get(start, [])


def rules_for(location: Location, service: Service, first: date, last: date) -> Rules:
    """The slot rules of one service at one location, with closures and holidays."""
    hours = db.session.scalars(
        select(OpeningHours).where(
            OpeningHours.location_id == location.id, OpeningHours.tenant_id == location.tenant_id
        )
    ).all()
    closures = db.session.scalars(
        select(Closure).where(
            Closure.location_id == location.id,
            Closure.tenant_id == location.tenant_id,
            Closure.day >= first,
            Closure.day <= last,
        )
    ).all()
    return Rules(
        zone=location.timezone,
        hours=[(h.weekday, h.opens, h.closes) for h in hours],
        duration=service.duration_minutes,
        buffer=service.buffer_minutes,
        min_notice=service.min_notice_minutes,
        horizon_days=service.horizon_days,
        closed_days=frozenset(c.day for c in closures if not c.is_open),
        open_days=frozenset(c.day for c in closures if c.is_open),
        holiday_days=holidays_between(location.country, location.holiday_subdivision, first, last),
    )


def team_for(
    location: Location, service: Service, practitioner: Practitioner | None = None
) -> list[Practitioner]:
    """Active practitioners who offer `service` and work at `location`, in team order
    (only `practitioner`, if given and they do)."""
    offers = select(PractitionerService.practitioner_id).where(
        PractitionerService.service_id == service.id,
        PractitionerService.tenant_id == service.tenant_id,
    )
    works_here = select(PractitionerHours.practitioner_id).where(
        PractitionerHours.location_id == location.id,
        PractitionerHours.tenant_id == location.tenant_id,
    )
    stmt = select(Practitioner).where(
        Practitioner.tenant_id == location.tenant_id,
        Practitioner.active.is_(True),
        Practitioner.id.in_(offers),
        Practitioner.id.in_(works_here),
    )
    if practitioner is not None:
        stmt = stmt.where(Practitioner.id == practitioner.id)
    return list(db.session.scalars(stmt.order_by(Practitioner.position, Practitioner.id)))


def _hours_here(location: Location, ids: list[int]) -> dict[int, list]:
    rows = db.session.execute(
        select(
            PractitionerHours.practitioner_id,
            PractitionerHours.weekday,
            PractitionerHours.opens,
            PractitionerHours.closes,
        ).where(
            PractitionerHours.tenant_id == location.tenant_id,
            PractitionerHours.location_id == location.id,
            PractitionerHours.practitioner_id.in_(ids),
        )
    )
    hours: dict[int, list] = {pid: [] for pid in ids}
    for pid, weekday, opens, closes in rows:
        hours[pid].append((weekday, opens, closes))
    return hours


def busy_intervals(
    tenant_id: int, ids: list[int], start: datetime, end: datetime, exclude_id: int | None = None
) -> tuple[dict[int, list[tuple[datetime, datetime]]], list[tuple[int, datetime]]]:
    """Per practitioner, [start, until) of their confirmed bookings at any location and
    of their time off touching [start, end); and (practitioner, start) of each booking."""
    stmt = select(Booking.practitioner_id, Booking.starts_at, Booking.blocked_until).where(
        Booking.tenant_id == tenant_id,
        Booking.practitioner_id.in_(ids),
        Booking.status == "confirmed",
        Booking.starts_at < end,
        Booking.blocked_until > start,
    )
    if exclude_id is not None:
        stmt = stmt.where(Booking.id != exclude_id)
    busy: dict[int, list[tuple[datetime, datetime]]] = {pid: [] for pid in ids}
    booked: list[tuple[int, datetime]] = []
    for pid, starts_at, until in db.session.execute(stmt):
        busy[pid].append((starts_at, until))
        booked.append((pid, starts_at))
    away = db.session.execute(
        select(TimeOff.practitioner_id, TimeOff.starts_at, TimeOff.ends_at).where(
            TimeOff.tenant_id == tenant_id,
            TimeOff.practitioner_id.in_(ids),
            TimeOff.starts_at < end,
            TimeOff.ends_at > start,
        )
    )
    for pid, starts_at, ends_at in away:
        busy[pid].append((starts_at, ends_at))
    return busy, booked


def availability(
    location: Location,
    service: Service,
    now: datetime | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
    exclude_id: int | None = None,
    practitioner: Practitioner | None = None,
) -> Availability:
    """Free times from `first_day` to `last_day` (default: today to the horizon), with
    `practitioner` or, if None, with whoever on the team is free ("first available")."""
    now = now or utcnow()
    zone = ZoneInfo(location.timezone)
    today = now.astimezone(zone).date()
    first = max(first_day or today, today)
    last = min(
        last_day or today + timedelta(days=service.horizon_days),
        today + timedelta(days=service.horizon_days),
    )
    rules = rules_for(location, service, first, last)
    result = Availability(location, service, rules, team_for(location, service, practitioner))
    if first > last or not result.team:
        return result
    ids = [p.id for p in result.team]
    window_start = datetime.combine(first, datetime.min.time(), zone).astimezone(UTC)
    window_end = datetime.combine(last + timedelta(days=2), datetime.min.time(), zone)
    busy, booked = busy_intervals(
        location.tenant_id,
        ids,
        window_start - timedelta(days=1),
        window_end.astimezone(UTC),
        exclude_id,
    )
    hours = _hours_here(location, ids)
    per_practitioner = {}
    for pid in ids:
        own = replace(rules, hours=within(hours[pid], rules.hours))
        result.rules_by_practitioner[pid] = own
        per_practitioner[pid] = free_slots(own, busy[pid], now, first, last)
    result.slots, result.who = first_available(per_practitioner)
    for pid, starts_at in booked:
        result.booked_per_day[(pid, starts_at.astimezone(zone).date())] += 1
        result.booked_in_window[pid] += 1
    return result
