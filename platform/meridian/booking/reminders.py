"""Queue reminder e-mails; idempotent (the outbox key is unique per booking)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Booking, OutboxMessage, Tenant, utcnow
from . import messages


def queue_reminders(hours: int, now: datetime | None = None) -> int:
    """Queue a reminder for confirmed bookings starting within `hours` (not yet
    reminded, and not booked inside that window: the confirmation was enough)."""
    now = now or utcnow()
    window = timedelta(hours=hours)
    reminded = select(OutboxMessage.booking_id).where(
        OutboxMessage.kind == "reminder", OutboxMessage.booking_id.is_not(None)
    )
    bookings = db.session.scalars(
        select(Booking)
        .where(
            Booking.status == "confirmed",
            Booking.starts_at > now,
            Booking.starts_at <= now + window,
            Booking.id.not_in(reminded),
            Booking.client_email != "",  # booked by phone, with no e-mail address
        )
        .options(joinedload(Booking.location), joinedload(Booking.service))
        .execution_options(all_tenants=True)
    ).all()
    queued = 0
    for booking in bookings:
        if booking.created_at > booking.starts_at - window:
            continue
        tenant = db.session.get(Tenant, booking.tenant_id)
        messages.reminder(tenant, booking)
        queued += 1
    db.session.commit()
    return queued
