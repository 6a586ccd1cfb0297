"""Placing, cancelling and rescheduling bookings. The database has the last word.

Each change is one transaction: the booking, its slot claims (UNIQUE per location and
5-minute granule), its new-client claims and its outgoing e-mails are committed
together or not at all. A conflict surfaces as IntegrityError, which we roll back and
explain; we never decide "free" by reading and then writing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from ..extensions import db
from ..models import (
    GRANULE_MINUTES,
    Booking,
    Closure,
    Location,
    NewClientClaim,
    OpeningHours,
    Service,
    SlotClaim,
    Tenant,
    utcnow,
)
from . import messages
from .identity import canonical_email
from .slots import Rules, free_slots, holidays_between, nearest

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class BookingError(Exception):
    """A booking could not be made; `message` is for the visitor, `field` names where."""

    def __init__(self, message: str, field: str = "start", alternatives=()) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.alternatives: list[datetime] = list(alternatives)


class SlotTaken(BookingError):
    pass


class LinkUsed(Exception):
    """The booking is no longer confirmed: the link has been used (or overtaken)."""


@dataclass
class Availability:
    location: Location
    service: Service
    rules: Rules
    slots: dict[date, list[datetime]] = field(default_factory=dict)


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


def busy_intervals(
    location: Location, start: datetime, end: datetime, exclude_id: int | None = None
) -> list[tuple[datetime, datetime]]:
    """[start, blocked_until) of confirmed bookings touching [start, end)."""
    stmt = select(Booking.starts_at, Booking.blocked_until).where(
        Booking.location_id == location.id,
        Booking.tenant_id == location.tenant_id,
        Booking.status == "confirmed",
        Booking.starts_at < end,
        Booking.blocked_until > start,
    )
    if exclude_id is not None:
        stmt = stmt.where(Booking.id != exclude_id)
    return [(row[0], row[1]) for row in db.session.execute(stmt)]


def availability(
    location: Location,
    service: Service,
    now: datetime | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
    exclude_id: int | None = None,
) -> Availability:
    now = now or utcnow()
    zone = ZoneInfo(location.timezone)
    today = now.astimezone(zone).date()
    first = max(first_day or today, today)
    last = min(
        last_day or today + timedelta(days=service.horizon_days),
        today + timedelta(days=service.horizon_days),
    )
    rules = rules_for(location, service, first, last)
    window_start = datetime.combine(first, datetime.min.time(), zone).astimezone(UTC)
    window_end = datetime.combine(last + timedelta(days=2), datetime.min.time(), zone).astimezone(
        UTC
    )
    busy = busy_intervals(location, window_start - timedelta(days=1), window_end, exclude_id)
    slots = free_slots(rules, busy, now, first, last) if first <= last else {}
    return Availability(location, service, rules, slots)


def _granules(start: datetime, until: datetime) -> list[datetime]:
    """Every 5-minute granule (UTC, epoch-aligned) that [start, until) touches."""
    size = GRANULE_MINUTES * 60
    first = int(start.timestamp()) // size * size
    result = []
    moment = first
    while moment < until.timestamp():
        result.append(datetime.fromtimestamp(moment, UTC))
        moment += size
    return result


def _check_bookable(
    location: Location, service: Service, start: datetime, now: datetime, exclude_id=None
) -> None:
    if not service.online_bookable:
        raise BookingError("That service cannot be booked online.", "service")
    if start.tzinfo is None:
        raise BookingError("Please choose a time from the list.")
    if start <= now:
        raise BookingError("That time has already passed. Please choose another time.")
    day = start.astimezone(ZoneInfo(location.timezone)).date()
    near = availability(
        location, service, now, day - timedelta(days=3), day + timedelta(days=3), exclude_id
    )
    if start in near.slots.get(day, []):
        return
    empty = free_slots(near.rules, [], now, day, day)
    alternatives = nearest(near.slots, start)
    if start in empty.get(day, []):
        raise SlotTaken(
            "Sorry, that time was just taken. Here are the nearest free times.",
            alternatives=alternatives,
        )
    if start < now + timedelta(minutes=service.min_notice_minutes):
        message = "That time is too soon to book online. Please choose a later time."
    elif day > now.astimezone(ZoneInfo(location.timezone)).date() + timedelta(
        days=service.horizon_days
    ):
        message = "That day is too far ahead to book yet. Please choose an earlier day."
    else:
        message = "The clinic is not open for this service at that time. Please choose another."
    raise BookingError(message, alternatives=alternatives)


# PostgreSQL: deadlock (two exclusion checks waiting on each other) and serialization
# failure. The database aborted one side of a race; for the visitor it is a lost race.
_RACE_STATES = {"40P01", "40001"}


def _is_conflict(exc: DBAPIError) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    return getattr(exc.orig, "sqlstate", None) in _RACE_STATES


@contextmanager
def _commit_or_explain(explain: Callable[[], BookingError]) -> Iterator[None]:
    """Commit what the block wrote; if the database refused it because another visitor
    won the race, roll back and raise `explain()`, the answer for the visitor."""
    try:
        yield
        db.session.commit()
    except DBAPIError as exc:
        db.session.rollback()
        if not _is_conflict(exc):
            raise
        raise explain() from None


def _new_reference() -> str:
    return "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


def _confirmed_booking(
    tenant: Tenant, location: Location, service: Service, start: datetime, now: datetime, **client
) -> Booking:
    """A new confirmed booking of `service` at `start`; `client` holds the visitor's details."""
    return Booking(
        tenant_id=tenant.id,
        reference=_new_reference(),
        location_id=location.id,
        service_id=service.id,
        starts_at=start,
        ends_at=start + timedelta(minutes=service.duration_minutes),
        blocked_until=start + timedelta(minutes=service.duration_minutes + service.buffer_minutes),
        status="confirmed",
        created_at=now,
        **client,
    )


def _insert(booking: Booking, new_client: bool) -> None:
    """Insert a confirmed booking and its claims (flush only; the caller commits)."""
    db.session.add(booking)
    db.session.flush()
    for granule in _granules(booking.starts_at, booking.blocked_until):
        db.session.add(
            SlotClaim(
                tenant_id=booking.tenant_id,
                location_id=booking.location_id,
                granule_start=granule,
                booking_id=booking.id,
            )
        )
    if new_client:
        for kind, value in (
            ("email", canonical_email(booking.client_email)),
            ("phone", booking.client_phone),
        ):
            db.session.add(
                NewClientClaim(
                    tenant_id=booking.tenant_id, kind=kind, value=value, booking_id=booking.id
                )
            )
    db.session.flush()


def _explain_conflict(location, service, start, email, phone, now, exclude_id=None):
    """After a rolled-back conflict: which rule did the database enforce?"""
    if service.new_clients_only and _new_client_taken(location.tenant_id, email, phone, exclude_id):
        return BookingError(
            "This service is for new clients, and we already have a booking for this "
            "e-mail address or phone number. Please choose another service or contact us.",
            "email",
        )
    day = start.astimezone(ZoneInfo(location.timezone)).date()
    near = availability(
        location, service, now, day - timedelta(days=3), day + timedelta(days=3), exclude_id
    )
    return SlotTaken(
        "Sorry, that time was just taken. Here are the nearest free times.",
        alternatives=nearest(near.slots, start),
    )


def _new_client_taken(tenant_id: int, email: str, phone: str, exclude_id=None) -> bool:
    """Has this mailbox (however written) or phone number (E.164) a new-client claim?"""
    stmt = select(NewClientClaim.id).where(
        NewClientClaim.tenant_id == tenant_id,
        ((NewClientClaim.kind == "email") & (NewClientClaim.value == canonical_email(email)))
        | ((NewClientClaim.kind == "phone") & (NewClientClaim.value == phone)),
    )
    if exclude_id is not None:
        stmt = stmt.where(NewClientClaim.booking_id != exclude_id)
    return db.session.execute(stmt.limit(1)).first() is not None


def place_booking(
    tenant: Tenant,
    location: Location,
    service: Service,
    start: datetime,
    *,
    name: str,
    email: str,
    phone: str,
    reason: str = "",
    now: datetime | None = None,
) -> Booking:
    """Book `start` or raise BookingError. Commits the booking and its e-mails."""
    now = now or utcnow()
    if location.tenant_id != tenant.id or service.tenant_id != tenant.id:
        raise BookingError("Unknown location or service.", "service")
    _check_bookable(location, service, start, now)
    if service.new_clients_only and _new_client_taken(tenant.id, email, phone):
        raise _explain_conflict(location, service, start, email, phone, now)
    booking = _confirmed_booking(
        tenant,
        location,
        service,
        start,
        now,
        client_name=name,
        client_email=email,
        client_phone=phone,
        reason=reason,
        consent_at=now,
    )
    with _commit_or_explain(lambda: _explain_conflict(location, service, start, email, phone, now)):
        _insert(booking, service.new_clients_only)
        messages.booking_confirmed(tenant, booking)
    return booking


def cancel_booking(tenant: Tenant, booking: Booking, now: datetime | None = None) -> None:
    """Cancel once: the conditional UPDATE makes a second (or concurrent) use fail."""
    now = now or utcnow()
    changed = db.session.execute(
        update(Booking)
        .where(
            Booking.id == booking.id,
            Booking.tenant_id == tenant.id,
            Booking.status == "confirmed",
        )
        .values(status="cancelled", cancelled_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        raise LinkUsed
    _release(booking)
    db.session.refresh(booking)
    messages.booking_cancelled(tenant, booking)
    db.session.commit()


def _release(booking: Booking) -> None:
    db.session.execute(
        delete(SlotClaim).where(
            SlotClaim.booking_id == booking.id, SlotClaim.tenant_id == booking.tenant_id
        )
    )
    db.session.execute(
        delete(NewClientClaim).where(
            NewClientClaim.booking_id == booking.id, NewClientClaim.tenant_id == booking.tenant_id
        )
    )


def reschedule_booking(
    tenant: Tenant, booking: Booking, start: datetime, now: datetime | None = None
) -> Booking:
    """Move a booking in one transaction: never two bookings, never none."""
    now = now or utcnow()
    location, service = booking.location, booking.service
    _check_bookable(location, service, start, now, exclude_id=booking.id)
    old_id = booking.id
    with _commit_or_explain(
        lambda: _explain_conflict(
            location, service, start, booking.client_email, booking.client_phone, now, old_id
        )
    ):
        changed = db.session.execute(
            update(Booking)
            .where(
                Booking.id == old_id, Booking.tenant_id == tenant.id, Booking.status == "confirmed"
            )
            .values(status="rescheduled", cancelled_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed != 1:
            db.session.rollback()
            raise LinkUsed
        db.session.execute(
            delete(SlotClaim).where(
                SlotClaim.booking_id == old_id, SlotClaim.tenant_id == tenant.id
            )
        )
        new = _confirmed_booking(
            tenant,
            location,
            service,
            start,
            now,
            client_name=booking.client_name,
            client_email=booking.client_email,
            client_phone=booking.client_phone,
            reason=booking.reason,
            consent_at=booking.consent_at,
        )
        _insert(new, new_client=False)
        db.session.execute(
            update(NewClientClaim)
            .where(NewClientClaim.booking_id == old_id, NewClientClaim.tenant_id == tenant.id)
            .values(booking_id=new.id)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            update(Booking)
            .where(Booking.id == old_id, Booking.tenant_id == tenant.id)
            .values(rescheduled_to_id=new.id)
            .execution_options(synchronize_session=False)
        )
        messages.booking_rescheduled(tenant, booking, new)
    db.session.refresh(booking)
    return new
