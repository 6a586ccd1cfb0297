"""Placing, cancelling and rescheduling bookings. The database has the last word.

Each change is one transaction: the booking, its slot claims (UNIQUE per practitioner
and 5-minute granule, whatever the location), its new-client claims and its outgoing
e-mails are committed together or not at all. A conflict surfaces as IntegrityError,
which we roll back and explain; we never decide "free" by reading and then writing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from ..extensions import db
from ..models import (
    GRANULE_MINUTES,
    Booking,
    Location,
    NewClientClaim,
    Post,
    Practitioner,
    Service,
    SlotClaim,
    Tenant,
    utcnow,
)
from ..privacy import versions
from . import messages
from .availability import Availability, availability, rules_for
from .identity import canonical_email
from .slots import fairest, free_slots, nearest

__all__ = ["Availability", "availability", "rules_for"]

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


class NewClientsOnly(BookingError):
    """A new-clients-only service refused: worded the same whatever matched."""


class LinkUsed(Exception):
    """The booking is no longer confirmed: the link has been used (or overtaken)."""


class AtTheDesk:
    """A service as the clinic's desk books it: the online-only limits (online-bookable,
    minimum notice, how far ahead) do not apply; everything else (hours, closures, time
    off, other bookings, buffers, new clients only, the database's guard) does."""

    online_bookable = True
    min_notice_minutes = 0
    horizon_days = 366

    def __init__(self, service: Service) -> None:
        self._service = service

    def __getattr__(self, name: str):
        return getattr(self._service, name)


class TooLate(Exception):
    """The appointment has started, or is within the clinic's change cut-off."""


def change_deadline(tenant: Tenant, booking: Booking) -> datetime:
    """Until when the visitor may cancel or move this booking online (then: phone)."""
    return booking.starts_at - timedelta(hours=max(tenant.change_cutoff_hours, 0))


def _changeable(tenant: Tenant, now: datetime):
    """SQL: the booking is confirmed and its change deadline has not passed at `now`."""
    return (Booking.status == "confirmed") & (
        Booking.starts_at > now + timedelta(hours=max(tenant.change_cutoff_hours, 0))
    )


def _refused(booking: Booking, tenant: Tenant, now: datetime) -> Exception:
    """After a conditional UPDATE changed nothing: used, or too late?"""
    db.session.rollback()
    db.session.refresh(booking)
    if booking.status == "confirmed" and now >= change_deadline(tenant, booking):
        return TooLate()
    return LinkUsed()


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
    location: Location,
    service: Service,
    start: datetime,
    now: datetime,
    exclude_id=None,
    practitioner: Practitioner | None = None,
) -> Availability:
    """The free times around `start` if it is bookable (with `practitioner`, or with
    anyone on the team); otherwise raise the reason, with the nearest free times."""
    if not service.online_bookable:
        raise BookingError("That service cannot be booked online.", "service")
    if start.tzinfo is None:
        raise BookingError("Please choose a time from the list.")
    if start <= now:
        raise BookingError(
            "That time has already passed. Please choose another time.",
            alternatives=_nearest(location, service, start, now, exclude_id, practitioner),
        )
    day = start.astimezone(ZoneInfo(location.timezone)).date()
    near = availability(
        location,
        service,
        now,
        day - timedelta(days=3),
        day + timedelta(days=3),
        exclude_id,
        practitioner,
    )
    if start in near.slots.get(day, []):
        return near
    alternatives = nearest(near.slots, start)
    if any(start in free_slots(r, [], now, day, day).get(day, []) for r in _rules(near)):
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


def _rules(near: Availability):
    return near.rules_by_practitioner.values()


def _nearest(location, service, start, now, exclude_id=None, practitioner=None):
    """The free times nearest to `start` within three days either side."""
    day = start.astimezone(ZoneInfo(location.timezone)).date()
    near = availability(
        location,
        service,
        now,
        day - timedelta(days=3),
        day + timedelta(days=3),
        exclude_id,
        practitioner,
    )
    target = max(start, now)
    return nearest(near.slots, target)


def check_start(
    location: Location,
    service: Service,
    start: datetime,
    practitioner: Practitioner | None = None,
    now: datetime | None = None,
) -> BookingError | None:
    """Why `start` can no longer be booked (taken, past, too soon…), or None if it can:
    the details page says so before the visitor types anything."""
    try:
        _check_bookable(location, service, start, now or utcnow(), practitioner=practitioner)
    except BookingError as exc:
        return exc
    return None


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
    tenant: Tenant,
    location: Location,
    service: Service,
    practitioner_id: int,
    start: datetime,
    now: datetime,
    **client,
) -> Booking:
    """A new confirmed booking of `service` at `start`; `client` holds the visitor's
    details (and, for a reschedule, the calendar event it continues)."""
    reference = _new_reference()
    client.setdefault("calendar_uid", reference)
    return Booking(
        tenant_id=tenant.id,
        reference=reference,
        location_id=location.id,
        service_id=service.id,
        practitioner_id=practitioner_id,
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
                practitioner_id=booking.practitioner_id,
                granule_start=granule,
                booking_id=booking.id,
            )
        )
    if new_client:
        for kind, value in (
            ("email", canonical_email(booking.client_email) if booking.client_email else ""),
            ("phone", booking.client_phone),
        ):
            if not value:
                continue
            db.session.add(
                NewClientClaim(
                    tenant_id=booking.tenant_id, kind=kind, value=value, booking_id=booking.id
                )
            )
    db.session.flush()


NEW_CLIENTS_ONLY = (
    "This appointment is for new clients, people who have not been to the clinic "
    "before. If you have been to us before, please book another appointment instead."
)


def _explain_conflict(
    location, service, start, email, phone, now, exclude_id=None, practitioner=None
):
    """After a rolled-back conflict: which rule did the database enforce?"""
    if service.new_clients_only and _new_client_taken(location.tenant_id, email, phone, exclude_id):
        return NewClientsOnly(NEW_CLIENTS_ONLY, "email")
    return SlotTaken(
        "Sorry, that time was just taken. Here are the nearest free times.",
        alternatives=_nearest(location, service, start, now, exclude_id, practitioner),
    )


def _new_client_taken(tenant_id: int, email: str, phone: str, exclude_id=None) -> bool:
    """Has this mailbox (however written) or phone number (E.164) a new-client claim?"""
    claimed = (NewClientClaim.kind == "phone") & (NewClientClaim.value == phone)
    if email:  # a client booked by phone may have none
        mailbox = canonical_email(email)
        claimed |= (NewClientClaim.kind == "email") & (NewClientClaim.value == mailbox)
    stmt = select(NewClientClaim.id).where(NewClientClaim.tenant_id == tenant_id, claimed)
    if exclude_id is not None:
        stmt = stmt.where(NewClientClaim.booking_id != exclude_id)
    return db.session.execute(stmt.limit(1)).first() is not None


def _candidates(near: Availability | None, start: datetime, practitioner) -> list[int]:
    """Who to book, in order: the chosen practitioner, or the free ones, fairest first."""
    if practitioner is not None:
        return [practitioner.id]
    if near is None:
        return []
    day = start.astimezone(ZoneInfo(near.location.timezone)).date()
    free = near.practitioners_free_at(start)
    today = {pid: near.booked_per_day[(pid, day)] for pid in free}
    return fairest(free, today, near.booked_in_window)


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
    practitioner: Practitioner | None = None,
    now: datetime | None = None,
    at_desk: bool = False,
    outside_hours: bool = False,
    tell_client: bool = True,
    before_commit: Callable[[Booking], None] | None = None,
    from_post: Post | None = None,
) -> Booking:
    """Book `start` with `practitioner` (None: the fairest free one) or raise
    BookingError. Commits the booking and its e-mails.

    With "first available", losing a race for one practitioner tries the next one free
    at that time; the visitor hears "just taken" only when nobody is left.

    The clinic's desk (`at_desk`) books any free time (see `AtTheDesk`), or with
    `outside_hours` any future time of a chosen practitioner that the database accepts
    (no other booking of theirs overlaps), and may leave the client's e-mail unsent
    (`tell_client`); the clinic's own inbox is not told of its own booking.
    `before_commit(booking)` adds to the same transaction (the desk's audit event).
    `from_post`: the clinic's post whose booking button the visitor followed (another
    clinic's post is ignored, never recorded).
    """
    now = now or utcnow()
    if location.tenant_id != tenant.id or service.tenant_id != tenant.id:
        raise BookingError("Unknown location or service.", "service")
    if practitioner is not None and practitioner.tenant_id != tenant.id:
        raise BookingError("Unknown practitioner.", "service")
    if from_post is not None and from_post.tenant_id != tenant.id:
        from_post = None
    if at_desk:
        service = AtTheDesk(service)
    if outside_hours:
        if practitioner is None:
            raise BookingError("Please choose who the client will see.", "practitioner")
        if start.tzinfo is None or start <= now:
            raise BookingError("That time has already passed. Please choose another time.")
        near = None
    else:
        near = _check_bookable(location, service, start, now, practitioner=practitioner)
    if service.new_clients_only and _new_client_taken(tenant.id, email, phone):
        raise NewClientsOnly(NEW_CLIENTS_ONLY, "email")
    candidates = _candidates(near, start, practitioner)
    if not candidates:
        raise _explain_conflict(location, service, start, email, phone, now)
    consent = versions.consent_fields(tenant, "booking")
    for index, practitioner_id in enumerate(candidates):
        booking = _confirmed_booking(
            tenant,
            location,
            service,
            practitioner_id,
            start,
            now,
            client_name=name,
            client_email=email,
            client_phone=phone,
            reason=reason,
            consent_at=now,
            from_post_id=from_post.id if from_post is not None else None,
            **consent,
        )
        explain = lambda: _explain_conflict(  # noqa: E731
            location, service, start, email, phone, now, practitioner=practitioner
        )
        try:
            with _commit_or_explain(explain):
                _insert(booking, service.new_clients_only)
                messages.booking_confirmed(
                    tenant, booking, tell_client=tell_client, tell_clinic=not at_desk
                )
                if before_commit is not None:
                    before_commit(booking)
        except SlotTaken:
            if index == len(candidates) - 1:
                raise
            continue
        return booking
    raise AssertionError("unreachable")  # pragma: no cover


def cancel_booking(
    tenant: Tenant,
    booking: Booking,
    now: datetime | None = None,
    *,
    note: str = "",
    by_clinic: bool = False,
    tell_client: bool = True,
) -> None:
    """Cancel once, before the clinic's cut-off: the conditional UPDATE makes a second
    (or concurrent, or late) use fail with LinkUsed or TooLate. The calendar event's
    SEQUENCE goes up so calendars drop it. The clinic's desk (`by_clinic`) is held to no
    cut-off, keeps its `note` and may leave the client's e-mail unsent; whatever the
    caller added to the session (its audit event) commits with the change."""
    now = now or utcnow()
    still = Booking.status == "confirmed" if by_clinic else _changeable(tenant, now)
    changed = db.session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.tenant_id == tenant.id, still)
        .values(
            status="cancelled",
            cancelled_at=now,
            calendar_sequence=Booking.calendar_sequence + 1,
            cancel_note=note[:200],
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise _refused(booking, tenant, now)
    _release(booking)
    db.session.refresh(booking)
    messages.booking_cancelled(
        tenant, booking, tell_client=tell_client or not by_clinic, tell_clinic=not by_clinic
    )
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
    tenant: Tenant,
    booking: Booking,
    start: datetime,
    now: datetime | None = None,
    *,
    at_desk: bool = False,
    tell_client: bool = True,
    before_commit: Callable[[Booking], None] | None = None,
) -> Booking:
    """Move a booking in one transaction: never two bookings, never none. Same
    practitioner, same location; the calendar event keeps its UID, SEQUENCE + 1.
    The clinic's desk (`at_desk`) moves it on the client's behalf to any free time
    (see `AtTheDesk`), whatever the online cut-off, with or without telling the client; `before_commit(new)` adds
    to the same transaction."""
    now = now or utcnow()
    location, service, practitioner = booking.location, booking.service, booking.practitioner
    if at_desk:
        service = AtTheDesk(service)
    _check_bookable(location, service, start, now, booking.id, practitioner)
    old_id = booking.id
    with _commit_or_explain(
        lambda: _explain_conflict(
            location,
            service,
            start,
            booking.client_email,
            booking.client_phone,
            now,
            old_id,
            practitioner,
        )
    ):
        still = Booking.status == "confirmed" if at_desk else _changeable(tenant, now)
        changed = db.session.execute(
            update(Booking)
            .where(Booking.id == old_id, Booking.tenant_id == tenant.id, still)
            .values(status="rescheduled", cancelled_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed != 1:
            raise _refused(booking, tenant, now)
        db.session.execute(
            delete(SlotClaim).where(
                SlotClaim.booking_id == old_id, SlotClaim.tenant_id == tenant.id
            )
        )
        new = _confirmed_booking(
            tenant,
            location,
            service,
            booking.practitioner_id,
            start,
            now,
            client_name=booking.client_name,
            client_email=booking.client_email,
            client_phone=booking.client_phone,
            reason=booking.reason,
            consent_at=booking.consent_at,
            privacy_notice_id=booking.privacy_notice_id,
            consent_text=booking.consent_text,
            calendar_uid=booking.calendar_uid,
            calendar_sequence=booking.calendar_sequence + 1,
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
        messages.booking_rescheduled(
            tenant, booking, new, tell_client=tell_client or not at_desk, tell_clinic=not at_desk
        )
        if before_commit is not None:
            before_commit(new)
    db.session.refresh(booking)
    return new
