"""One booking as the desk sees it: the chain of its reschedules, its history (who did
what, when) and the state of every e-mail about it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..extensions import db
from ..models import AuditEvent, Booking, OutboxMessage
from ..tenancy import tenant_select

#: Audit actions that belong in a booking's history (views are in the audit log only).
ACTION_TEXT = {
    "booking.create": "Booked for the client by phone",
    "booking.reschedule": "Rescheduled on the client's behalf",
    "booking.cancel": "Cancelled by the clinic",
    "booking.arrived": "Marked arrived",
    "booking.no_show": "Marked no-show",
    "booking.completed": "Marked completed",
    "booking.unmark": "Mark removed",
    "booking.resend": "E-mail sent again",
}


@dataclass
class Event:
    at: datetime
    text: str
    by: str
    note: str = ""


def target(booking: Booking | int) -> str:
    return f"booking:{booking if isinstance(booking, int) else booking.id}"


def chain(booking: Booking) -> list[Booking]:
    """The booking and every booking it was moved from or to, oldest first."""
    found = {booking.id: booking}
    frontier = [booking]
    while frontier:
        ids = [b.id for b in frontier]
        forward = [b.rescheduled_to_id for b in frontier if b.rescheduled_to_id]
        rows = db.session.scalars(
            tenant_select(Booking).where(
                Booking.rescheduled_to_id.in_(ids) | Booking.id.in_(forward)
            )
        ).all()
        frontier = [row for row in rows if row.id not in found]
        found.update({row.id: row for row in frontier})
    return sorted(found.values(), key=lambda b: (b.created_at, b.id))


def history(bookings: list[Booking], when) -> list[Event]:
    """Booked, moved, cancelled and marked, by whom: the desk's own actions from the
    audit log; the client's own (online) actions from the bookings themselves."""
    targets = [target(b) for b in bookings]
    audits = db.session.scalars(
        tenant_select(
            AuditEvent, AuditEvent.target.in_(targets), AuditEvent.action.in_(ACTION_TEXT)
        ).order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()
    done = {(event.action, event.target) for event in audits}
    # The clinic's note on a cancellation stays on the booking (it may be health
    # information, which audit details never hold).
    notes = {target(b): b.cancel_note for b in bookings}
    events = [
        Event(
            event.created_at,
            ACTION_TEXT[event.action],
            event.actor_email or "the clinic",
            notes.get(event.target, "") if event.action == "booking.cancel" else "",
        )
        for event in audits
    ]
    first = bookings[0]
    if ("booking.create", target(first)) not in done:
        events.append(Event(first.created_at, "Booked online", "the client"))
    for booking in bookings:
        moved_to = next((b for b in bookings if b.id == booking.rescheduled_to_id), None)
        if moved_to is not None and ("booking.reschedule", target(moved_to)) not in done:
            events.append(
                Event(
                    booking.cancelled_at or moved_to.created_at,
                    f"Rescheduled online from {when(booking)} to {when(moved_to)}",
                    "the client",
                )
            )
        if booking.status == "cancelled" and ("booking.cancel", target(booking)) not in done:
            events.append(
                Event(booking.cancelled_at or booking.created_at, "Cancelled online", "the client")
            )
    return sorted(events, key=lambda e: e.at)


def emails(bookings: list[Booking]) -> list[OutboxMessage]:
    """Every e-mail about these bookings (to the client and to the clinic), oldest first."""
    return list(
        db.session.scalars(
            tenant_select(
                OutboxMessage, OutboxMessage.booking_id.in_([b.id for b in bookings])
            ).order_by(OutboxMessage.created_at, OutboxMessage.id)
        )
    )


def latest(bookings: list[Booking]) -> Booking:
    """Where the appointment is now: the end of the chain."""
    by_id = {b.id: b for b in bookings}
    current = bookings[0]
    while current.rescheduled_to_id in by_id:
        current = by_id[current.rescheduled_to_id]
    return current
