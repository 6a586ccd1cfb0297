"""What the desk does beside booking, moving and cancelling (which are
`booking.service`'s, with the visitor's guards): attendance marks, sending an e-mail
again, and blocking time. Each writes its audit event in the same transaction."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import update

from ..auth.audit import record
from ..extensions import db
from ..models import Booking, Closure, Location, OutboxMessage, Practitioner, TimeOff, User, utcnow
from ..tenancy import tenant_select
from .record import target

#: Attendance marks the desk can set ("clear" takes a mark back).
MARKS = {"arrived": "Arrived", "no_show": "No-show", "completed": "Completed"}


def mark(booking: Booking, kind: str, actor: User, now: datetime | None = None) -> bool:
    """Set (or with "clear", remove) a confirmed booking's attendance mark. False if
    the booking is no longer confirmed (cancelled or moved meanwhile)."""
    if kind not in MARKS and kind != "clear":
        raise ValueError(kind)
    now = now or utcnow()
    changed = db.session.execute(
        update(Booking)
        .where(
            Booking.id == booking.id,
            Booking.tenant_id == booking.tenant_id,
            Booking.status == "confirmed",
        )
        .values(
            attendance=None if kind == "clear" else kind,
            attendance_at=None if kind == "clear" else now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        return False
    record(
        "booking.unmark" if kind == "clear" else f"booking.{kind}",
        actor=actor,
        target=target(booking),
    )
    db.session.commit()
    db.session.refresh(booking)
    return True


def resend(message: OutboxMessage, actor: User) -> OutboxMessage:
    """Queue a copy of an e-mail about a booking (the original keeps its state)."""
    copy = OutboxMessage(
        tenant_id=message.tenant_id,
        booking_id=message.booking_id,
        kind=message.kind,
        recipient=message.recipient,
        subject=message.subject,
        body_text=message.body_text,
        body_html=message.body_html,
        headers=message.headers,
        ics=message.ics,
        idempotency_key=f"resend:{message.id}:{uuid.uuid4().hex}",
        created_at=utcnow(),
    )
    db.session.add(copy)
    record(
        "booking.resend",
        actor=actor,
        target=target(message.booking_id or 0),
        message=message.id,
        kind=message.kind,
    )
    db.session.commit()
    return copy


def overlapping(practitioner_id: int | None, location_id: int | None, start, end) -> list[Booking]:
    """Confirmed bookings in [start, end) of a practitioner (anywhere) or at a location:
    blocking time does not cancel them; the desk is told which to move."""
    stmt = tenant_select(
        Booking, Booking.status == "confirmed", Booking.starts_at < end, Booking.ends_at > start
    )
    if practitioner_id is not None:
        stmt = stmt.where(Booking.practitioner_id == practitioner_id)
    if location_id is not None:
        stmt = stmt.where(Booking.location_id == location_id)
    return list(db.session.scalars(stmt.order_by(Booking.starts_at)))


def block_practitioner(
    practitioner: Practitioner, start: datetime, end: datetime, note: str, actor: User
) -> TimeOff:
    """The practitioner is away for [start, end): no booking anywhere in that time."""
    off = TimeOff(
        tenant_id=practitioner.tenant_id,
        practitioner_id=practitioner.id,
        starts_at=start,
        ends_at=end,
        note=note,
    )
    db.session.add(off)
    db.session.flush()
    record(
        "time_off.add",
        actor=actor,
        target=f"practitioner:{practitioner.id}",
        time_off=off.id,
        starts_at=start.isoformat(),
        ends_at=end.isoformat(),
    )
    db.session.commit()
    return off


def close_location(location: Location, day: date, reason: str, actor: User) -> Closure:
    """The whole location is closed on `day` (a public-holiday opening becomes a closure)."""
    closure = db.session.scalars(
        tenant_select(Closure, Closure.location_id == location.id, Closure.day == day)
    ).first()
    if closure is None:
        closure = Closure(tenant_id=location.tenant_id, location_id=location.id, day=day)
        db.session.add(closure)
    closure.is_open = False
    closure.reason = reason
    db.session.flush()
    record("closure.add", actor=actor, target=f"location:{location.id}", day=day.isoformat())
    db.session.commit()
    return closure


def remove_time_off(off: TimeOff, actor: User) -> None:
    record(
        "time_off.remove",
        actor=actor,
        target=f"practitioner:{off.practitioner_id}",
        time_off=off.id,
    )
    db.session.delete(off)
    db.session.commit()


def remove_closure(closure: Closure, actor: User) -> None:
    record(
        "closure.remove",
        actor=actor,
        target=f"location:{closure.location_id}",
        day=closure.day.isoformat(),
    )
    db.session.delete(closure)
    db.session.commit()
