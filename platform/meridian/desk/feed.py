"""The private calendar feed: `/calendar/<token>.ics` on the clinic's host, one secret
per staff member (owners and front desk), regenerable and revocable from the studio.
Upcoming bookings (and recently cancelled ones, as STATUS:CANCELLED) with the client's
name and the service; never a reason for visit. Times are UTC instants, which every
calendar shows in its own zone; each event names the location's clock too.

Only the SHA-256 of the token is stored: a copy of the database cannot subscribe.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import Blueprint, Response, abort, g
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..formatting import place_time
from ..models import Booking, Membership, User, utcnow

bp = Blueprint("feed", __name__)
ROLES = ("owner", "front_desk")
#: How far back cancelled and past bookings stay in the feed; how far ahead it reaches.
BACK = timedelta(days=7)
AHEAD = timedelta(days=180)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(membership: Membership) -> str:
    """A new secret for this member's feed (the old one stops working). Caller commits."""
    token = secrets.token_urlsafe(32)
    membership.feed_token_hash = _digest(token)
    return token


def revoke(membership: Membership) -> None:
    membership.feed_token_hash = None


def calendar_for(tenant, now=None) -> bytes:
    now = now or utcnow()
    bookings = db.session.scalars(
        select(Booking)
        .where(
            Booking.tenant_id == tenant.id,
            Booking.status.in_(("confirmed", "cancelled")),
            Booking.erased_at.is_(None),
            Booking.starts_at >= now - BACK,
            Booking.starts_at < now + AHEAD,
        )
        .options(selectinload(Booking.service), selectinload(Booking.location))
        .order_by(Booking.starts_at)
    ).all()
    cal = Calendar()
    cal.add("prodid", "-//Meridian//Desk feed//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{tenant.name} bookings")
    for booking in bookings:
        event = Event()
        # Not the client's invitation UID: a subscribed calendar must not merge the two.
        event.add("uid", f"desk-{booking.calendar_uid}@{tenant.primary_host}")
        event.add("sequence", booking.calendar_sequence)
        event.add("dtstamp", now)
        event.add("dtstart", booking.starts_at)
        event.add("dtend", booking.ends_at)
        event.add("summary", f"{booking.client_name} — {booking.service.name}")
        event.add("location", booking.location.name)
        event.add(
            "description",
            f"With {booking.practitioner.name}, {place_time(booking.location, tenant.locale)}. "
            f"Reference {booking.reference}.",
        )
        event.add("status", "CANCELLED" if booking.status == "cancelled" else "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()


@bp.get("/calendar/<token>.ics")
def calendar(token: str):
    tenant = g.get("tenant")
    if tenant is None or len(token) > 100:
        abort(404)
    member = db.session.scalars(
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.tenant_id == tenant.id,
            Membership.feed_token_hash == _digest(token),
            Membership.role.in_(ROLES),
            User.is_active.is_(True),
        )
    ).first()
    if member is None:
        abort(404)
    return Response(
        calendar_for(tenant),
        mimetype="text/calendar",
        headers={"Cache-Control": "no-store, private", "X-Robots-Tag": "noindex"},
    )
