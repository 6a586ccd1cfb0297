"""The e-mails a booking sends, queued through `mail.queue` (templates/email/booking_*).

Each function adds outbox rows to the caller's transaction; nothing is sent from here.
The reason for visit is never passed to a template: e-mails say "your appointment".
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_timezone_location
from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText

from .. import mail
from ..formatting import place_time
from ..models import Booking, Tenant, utcnow
from ..urls import tenant_url
from .recipients import recipients
from .tokens import make_token


def when_text(moment: datetime, zone: str, locale: str, place: str | None = None) -> str:
    """`Tuesday, 24 November 2026 at 9:00 am (Wellington time)`: the clinic's locale's
    own time format, and the clock named after the place rather than the zone."""
    local = moment.astimezone(ZoneInfo(zone))
    if place is None:
        place = f"{get_timezone_location(zone, locale=locale, return_city=True)} time"
    return (
        f"{format_date(local, 'full', locale=locale)} at "
        f"{format_time(local, 'short', locale=locale)} ({place})"
    )


def when_at(moment: datetime, location, locale: str) -> str:
    """`when_text` at a location: its city names the clock."""
    return when_text(moment, location.timezone, locale, place_time(location, locale))


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
    if booking.client_email:
        attendee = vCalAddress(f"mailto:{booking.client_email}")
        attendee.params["cn"] = vText(booking.client_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("ACCEPTED")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical().decode("utf-8")


def _links(tenant: Tenant, booking: Booking) -> dict[str, str]:
    return {
        "cancel_url": tenant_url(tenant, "booking.cancel", token=make_token(booking, "cancel")),
        "reschedule_url": tenant_url(
            tenant, "booking.reschedule", token=make_token(booking, "reschedule")
        ),
    }


def _when(tenant: Tenant, booking: Booking) -> str:
    return when_at(booking.starts_at, booking.location, tenant.locale)


def _to_visitor(tenant, booking, kind, template, ics=None, **context) -> None:
    if not booking.client_email:  # booked at the desk for a client without e-mail
        return
    mail.queue(
        tenant,
        kind,
        booking.client_email,
        template,
        key=f"{kind}:{booking.id}",
        booking=booking,
        ics=ics,
        # Replies reach the location's inbox, not the platform's no-reply sender.
        headers={"Reply-To": booking.location.email} if booking.location.email else None,
        when=_when(tenant, booking),
        **context,
    )


def _to_clinic(tenant: Tenant, booking: Booking, kind: str, subject: str, headline: str) -> None:
    """Whoever the owner chose for the location (by default its own inbox) hears of
    every change, without the reason for visit; one outbox row each."""
    when = _when(tenant, booking)
    # The desk's page of the booking: an id, never anything about the client.
    desk_url = tenant_url(tenant, "studio.booking", booking_id=booking.id)
    for index, to in enumerate(recipients(booking.location)):
        try:
            mail.queue(
                tenant,
                kind,
                to,
                "clinic_booking",
                # The first keeps the key it always had (one notice per booking and kind).
                key=f"{kind}:{booking.id}" if index == 0 else f"{kind}:{booking.id}:{index}",
                booking=booking,
                headers={"Reply-To": booking.client_email} if booking.client_email else None,
                when=when,
                subject=subject,
                headline=headline,
                desk_url=desk_url,
            )
        except mail.AddressError:
            # Checked when chosen; an address that went bad since must not lose the
            # booking itself. Logged without the address or anything about the client.
            current_app.logger.warning(
                "clinic notice %s for booking %s skipped: unusable recipient", kind, booking.id
            )


# `tell_client` / `tell_clinic`: the desk may book, move or cancel without e-mailing the
# client, and never tells the clinic's inbox of what the clinic did itself.


def booking_confirmed(
    tenant: Tenant, booking: Booking, *, tell_client: bool = True, tell_clinic: bool = True
) -> None:
    """Queue the visitor's confirmation (with .ics) and the clinic's notice."""
    if tell_client:
        _to_visitor(
            tenant,
            booking,
            "confirmation",
            "booking_confirmed",
            ics_for(tenant, booking),
            **_links(tenant, booking),
        )
    if tell_clinic:
        _to_clinic(
            tenant,
            booking,
            "clinic-new",
            f"New booking {booking.reference}",
            "New online booking.",
        )


def booking_rescheduled(
    tenant: Tenant,
    old: Booking,
    new: Booking,
    *,
    tell_client: bool = True,
    tell_clinic: bool = True,
) -> None:
    if tell_client:
        _to_visitor(
            tenant,
            new,
            "confirmation",
            "booking_moved",
            ics_for(tenant, new),
            **_links(tenant, new),
        )
    if tell_clinic:
        _to_clinic(
            tenant,
            new,
            "clinic-moved",
            f"Booking {old.reference} moved",
            f"Booking {old.reference} was rescheduled by the client (new reference below).",
        )


def booking_cancelled(
    tenant: Tenant, booking: Booking, *, tell_client: bool = True, tell_clinic: bool = True
) -> None:
    if tell_client:
        _to_visitor(
            tenant,
            booking,
            "cancelled",
            "booking_cancelled",
            ics_for(tenant, booking, cancelled=True),
            book_url=tenant_url(tenant, "booking.start"),
        )
    if tell_clinic:
        _to_clinic(
            tenant,
            booking,
            "clinic-cancelled",
            f"Booking {booking.reference} cancelled",
            "A client cancelled.",
        )


def reminder(tenant: Tenant, booking: Booking) -> None:
    _to_visitor(
        tenant,
        booking,
        "reminder",
        "booking_reminder",
        ics_for(tenant, booking),
        **_links(tenant, booking),
    )
