"""Who at the clinic hears of a new, moved or cancelled booking at a location.

The owner chooses (studio/notifications.py): the location's own address (on unless
turned off, as before there was a choice), staff members of the clinic who may see
bookings (owners and front desk: editors never see a client), and other addresses.
Checked again here, at sending time: a member who has left the clinic, was moved to
editor or was suspended is sent nothing, whatever was chosen earlier.
"""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Location, LocationNotifyMember, Membership, User

#: The roles that may receive booking notifications (those who use the desk).
BOOKING_ROLES = ("owner", "front_desk")


def eligible_members(tenant_id: int) -> list[tuple[Membership, User]]:
    """The clinic's active owners and front desk, by name: who may be chosen."""
    rows = db.session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.tenant_id == tenant_id,
            Membership.role.in_(BOOKING_ROLES),
            User.is_active.is_(True),
        )
        .order_by(User.display_name, User.id)
    ).all()
    return [(membership, user) for membership, user in rows]


def chosen_user_ids(location: Location) -> set[int]:
    """The members chosen for this location (whether or not they may still receive)."""
    return set(
        db.session.scalars(
            select(LocationNotifyMember.user_id).where(
                LocationNotifyMember.tenant_id == location.tenant_id,
                LocationNotifyMember.location_id == location.id,
            )
        )
    )


def recipients(location: Location) -> list[str]:
    """The addresses to tell, in order, each once (compared without case)."""
    found: list[str] = []
    if location.notify_location_email and location.email:
        found.append(location.email)
    found += db.session.scalars(
        select(User.email)
        .join(
            Membership,
            (Membership.user_id == User.id) & (Membership.tenant_id == location.tenant_id),
        )
        .join(
            LocationNotifyMember,
            (LocationNotifyMember.user_id == User.id)
            & (LocationNotifyMember.tenant_id == location.tenant_id),
        )
        .where(
            LocationNotifyMember.location_id == location.id,
            Membership.role.in_(BOOKING_ROLES),
            User.is_active.is_(True),
        )
        .order_by(User.id)
    ).all()
    found += list(location.notify_addresses or [])
    seen: set[str] = set()
    unique = []
    for address in found:
        if address.lower() not in seen:
            seen.add(address.lower())
            unique.append(address)
    return unique
