"""The e-mails a booking sends, built as outbox rows (never sent from a request).

The reason for visit is never included: e-mails say "your appointment".
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText

from ..models import Booking, OutboxMessage, Tenant, utcnow
from ..urls import tenant_url
from .tokens import make_token


def when_text(moment: datetime, zone: str, locale: str) -> str:
    """`Tuesday, 24 November 2026 at 9:00 am NZDT (Pacific/Auckland time)`."""
    local = moment.astimezone(ZoneInfo(zone))
    return (
        f"{format_date(local, 'full', locale=locale)} at "
        f"{format_time(local, 'short', locale=locale)} {local.tzname()} ({zone} time)"
    )


def _where(booking: Booking) -> str:
    location = booking.location
    lines = [location.name, *location.address_lines]
    if location.phone:
        lines.append(f"Phone: {location.phone}")
    return "\n".join(lines)


def organizer_address(tenant: Tenant) -> str:
    """The address the clinic's e-mails come from: its own, or the platform's."""
    return tenant.mail_from or current_app.config["MAIL_FROM"]


def ics_for(tenant: Tenant, booking: Booking, cancelled: bool = False) -> str:
    """An iTIP invitation (REQUEST) or cancellation (CANCEL) that every calendar merges:
    one UID for the appointment however often it moves, SEQUENCE raised each time."""
    cal = Calendar()
    cal.add("prodid", "-//Meridian//Booking//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", f"booking-{booking.calendar_uid}@{tenant.primary_host}")
    event.add("sequence", booking.calendar_sequence)
    event.add("dtstamp", utcnow())
    event.add("dtstart", booking.starts_at)
    event.add("dtend", booking.ends_at)
    event.add("summary", f"{booking.service.name} — {tenant.name}")
    location = booking.location
    event["location"] = vText(", ".join([location.name, *location.address_lines]))
    organizer = vCalAddress(f"mailto:{organizer_address(tenant)}")
    organizer.params["cn"] = vText(tenant.name)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{booking.client_email}")
    attendee.params["cn"] = vText(booking.client_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("ACCEPTED")
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical().decode("utf-8")


def _visitor_body(tenant: Tenant, booking: Booking, intro: str) -> str:
    when = when_text(booking.starts_at, booking.location.timezone, tenant.locale)
    cancel = tenant_url(tenant, "booking.cancel", token=make_token(booking, "cancel"))
    move = tenant_url(tenant, "booking.reschedule", token=make_token(booking, "reschedule"))
    return (
        f"Hello {booking.client_name},\n\n{intro}\n\n"
        f"{booking.service.name}\n{when}\n\n{_where(booking)}\n\n"
        f"Booking reference: {booking.reference}\n\n"
        f"Need to change it?\nReschedule: {move}\nCancel: {cancel}\n\n"
        f"{tenant.name}\n"
    )


def _clinic_body(tenant: Tenant, booking: Booking, headline: str) -> str:
    when = when_text(booking.starts_at, booking.location.timezone, tenant.locale)
    return (
        f"{headline}\n\n{booking.service.name}\n{when}\n{booking.location.name}\n\n"
        f"Client: {booking.client_name}\nE-mail: {booking.client_email}\n"
        f"Phone: {booking.client_phone}\nReference: {booking.reference}\n\n"
        "Any reason for the visit the client gave is kept with the booking, not in e-mail.\n"
    )


def _message(tenant, booking, kind, recipient, subject, body, ics=None) -> OutboxMessage:
    return OutboxMessage(
        tenant_id=tenant.id,
        booking_id=booking.id,
        kind=kind,
        recipient=recipient,
        subject=subject,
        body_text=body,
        ics=ics,
        idempotency_key=f"{kind}:{booking.id}",
    )


def _clinic(tenant: Tenant, booking: Booking, kind: str, subject: str, headline: str):
    recipient = booking.location.email
    if not recipient:
        return []
    return [
        _message(tenant, booking, kind, recipient, subject, _clinic_body(tenant, booking, headline))
    ]


def booking_confirmed(tenant: Tenant, booking: Booking) -> list[OutboxMessage]:
    body = _visitor_body(tenant, booking, f"Your appointment at {tenant.name} is booked.")
    return [
        _message(
            tenant,
            booking,
            "confirmation",
            booking.client_email,
            f"Your appointment at {tenant.name} is confirmed",
            body,
            ics_for(tenant, booking),
        ),
        *_clinic(
            tenant, booking, "clinic-new", f"New booking {booking.reference}", "New online booking."
        ),
    ]


def booking_rescheduled(tenant: Tenant, old: Booking, new: Booking) -> list[OutboxMessage]:
    body = _visitor_body(tenant, new, f"Your appointment at {tenant.name} has been moved.")
    return [
        _message(
            tenant,
            new,
            "confirmation",
            new.client_email,
            f"Your appointment at {tenant.name} has moved",
            body,
            ics_for(tenant, new),
        ),
        *_clinic(
            tenant,
            new,
            "clinic-moved",
            f"Booking {old.reference} moved",
            f"Booking {old.reference} was rescheduled by the client (new reference below).",
        ),
    ]


def booking_cancelled(tenant: Tenant, booking: Booking) -> list[OutboxMessage]:
    when = when_text(booking.starts_at, booking.location.timezone, tenant.locale)
    body = (
        f"Hello {booking.client_name},\n\nYour appointment on {when} at {tenant.name} "
        f"is cancelled.\n\nBooking reference: {booking.reference}\n\n"
        f"You are welcome to book again: {tenant_url(tenant, 'booking.start')}\n\n{tenant.name}\n"
    )
    return [
        _message(
            tenant,
            booking,
            "cancelled",
            booking.client_email,
            f"Your appointment at {tenant.name} is cancelled",
            body,
            ics_for(tenant, booking, cancelled=True),
        ),
        *_clinic(
            tenant,
            booking,
            "clinic-cancelled",
            f"Booking {booking.reference} cancelled",
            "A client cancelled.",
        ),
    ]


def reminder(tenant: Tenant, booking: Booking) -> OutboxMessage:
    body = _visitor_body(tenant, booking, f"A reminder of your appointment at {tenant.name}.")
    return _message(
        tenant,
        booking,
        "reminder",
        booking.client_email,
        f"Reminder: your appointment at {tenant.name}",
        body,
        ics_for(tenant, booking),
    )
