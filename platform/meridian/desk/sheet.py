"""The day sheet and the week calendar: per location, one column per practitioner, in
the location's own time. A fixed number of queries whatever the team's size."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Booking, Closure, Location, Practitioner, PractitionerHours, TimeOff
from ..tenancy import tenant_select

#: Statuses shown on the sheet (a rescheduled booking shows at its new time instead).
SHOWN = ("confirmed", "cancelled")


@dataclass
class Column:
    practitioner: Practitioner
    # Per local day: the bookings and the time off touching it, in time order.
    bookings: dict[date, list[Booking]] = field(default_factory=dict)
    away: dict[date, list[TimeOff]] = field(default_factory=dict)


@dataclass
class LocationSheet:
    location: Location
    days: list[date]
    columns: list[Column]
    closed: dict[date, Closure] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.location.timezone)


def today_at(location: Location, now: datetime) -> date:
    return now.astimezone(ZoneInfo(location.timezone)).date()


def day_bounds(location: Location, day: date) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day, in UTC (23 or 25 hours on a clock change)."""
    zone = ZoneInfo(location.timezone)
    start = datetime.combine(day, time.min, zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, zone).astimezone(UTC)
    return start, end


def week_of(day: date) -> list[date]:
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=n) for n in range(7)]


def build(
    locations: list[Location], days: list[date], practitioner_id: int | None = None
) -> list[LocationSheet]:
    """The sheet of `days` (local dates) at each of `locations`."""
    if not locations or not days:
        return []
    location_ids = [loc.id for loc in locations]
    bounds = {
        loc.id: (day_bounds(loc, days[0])[0], day_bounds(loc, days[-1])[1]) for loc in locations
    }
    window_start = min(b[0] for b in bounds.values())
    window_end = max(b[1] for b in bounds.values())

    bookings_stmt = (
        tenant_select(
            Booking,
            Booking.location_id.in_(location_ids),
            Booking.status.in_(SHOWN),
            Booking.starts_at >= window_start,
            Booking.starts_at < window_end,
        )
        .order_by(Booking.starts_at, Booking.id)
        .options(selectinload(Booking.service))
    )
    if practitioner_id is not None:
        bookings_stmt = bookings_stmt.where(Booking.practitioner_id == practitioner_id)
    bookings = list(db.session.scalars(bookings_stmt))

    works_at = db.session.execute(
        select(PractitionerHours.practitioner_id, PractitionerHours.location_id)
        .where(PractitionerHours.location_id.in_(location_ids))
        .where(PractitionerHours.tenant_id == locations[0].tenant_id)
        .distinct()
    ).all()
    wanted: dict[int, set[int]] = {loc.id: set() for loc in locations}
    for pid, lid in works_at:
        wanted[lid].add(pid)
    for booking in bookings:
        wanted[booking.location_id].add(booking.practitioner_id)
    ids = set().union(*wanted.values())
    if practitioner_id is not None:
        ids &= {practitioner_id}
    team = {
        p.id: p
        for p in db.session.scalars(
            tenant_select(Practitioner, Practitioner.id.in_(ids)).order_by(
                Practitioner.position, Practitioner.id
            )
        )
    }
    away = list(
        db.session.scalars(
            tenant_select(
                TimeOff,
                TimeOff.practitioner_id.in_(ids),
                TimeOff.starts_at < window_end,
                TimeOff.ends_at > window_start,
            ).order_by(TimeOff.starts_at)
        )
    )
    closures = list(
        db.session.scalars(
            tenant_select(
                Closure,
                Closure.location_id.in_(location_ids),
                Closure.day >= days[0],
                Closure.day <= days[-1],
                or_(Closure.is_open.is_(False), Closure.is_open.is_(None)),
            )
        )
    )

    sheets = []
    for location in locations:
        zone = ZoneInfo(location.timezone)
        order = [pid for pid in team if pid in wanted[location.id]]
        columns = {pid: Column(team[pid]) for pid in order}
        for column in columns.values():
            for day in days:
                column.bookings[day] = []
                column.away[day] = []
        for booking in bookings:
            if booking.location_id != location.id or booking.practitioner_id not in columns:
                continue
            day = booking.starts_at.astimezone(zone).date()
            if day in columns[booking.practitioner_id].bookings:
                columns[booking.practitioner_id].bookings[day].append(booking)
        for off in away:
            if off.practitioner_id not in columns:
                continue
            for day in days:
                start, end = day_bounds(location, day)
                if off.starts_at < end and off.ends_at > start:
                    columns[off.practitioner_id].away[day].append(off)
        sheet = LocationSheet(location, days, [columns[pid] for pid in order])
        sheet.closed = {c.day: c for c in closures if c.location_id == location.id}
        sheets.append(sheet)
    return sheets


def failed_emails(now: datetime, limit: int = 20) -> list[tuple]:
    """(message, booking) for e-mails to clients of upcoming bookings that could not be
    delivered: the desk's home shows them so someone can phone the client."""
    from ..models import OutboxMessage

    stmt = (
        tenant_select(OutboxMessage, OutboxMessage.status == "failed")
        .add_columns(Booking)
        .join(
            Booking,
            (Booking.id == OutboxMessage.booking_id)
            & (Booking.tenant_id == OutboxMessage.tenant_id),
        )
        .where(
            Booking.status == "confirmed",
            Booking.starts_at >= now,
            OutboxMessage.recipient == Booking.client_email,
        )
        .order_by(Booking.starts_at)
        .limit(limit)
    )
    return [tuple(row) for row in db.session.execute(stmt)]
