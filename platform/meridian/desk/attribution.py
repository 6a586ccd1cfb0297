"""Which article brought them: bookings made from each post's booking buttons.

A booking made through a post's "Book" link records the post (`Booking.from_post_id`,
see booking/views.py); only the row made then carries it (a reschedule's new row does
not), so counting rows counts bookings made, by when they were made. Cancelled ones
still count: the post brought the booking. Counts only, never who: editors see them on
the posts list without seeing a client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, func

from ..extensions import db
from ..models import Booking, utcnow
from ..tenancy import tenant_select

#: The recent period shown beside the all-time count.
RECENT_DAYS = 90


@dataclass(frozen=True)
class Count:
    recent: int = 0
    total: int = 0


def counts(post_ids: list[int]) -> dict[int, Count]:
    """{post id: Count} for these posts of the request's clinic, in one query (posts
    with no booking are absent: use `.get(id, Count())`)."""
    if not post_ids:
        return {}
    since = utcnow() - timedelta(days=RECENT_DAYS)
    stmt = (
        tenant_select(Booking, Booking.from_post_id.in_(post_ids))
        .with_only_columns(
            Booking.from_post_id,
            func.count(Booking.id),
            func.count(case((Booking.created_at >= since, Booking.id))),
        )
        .group_by(Booking.from_post_id)
    )
    return {
        post_id: Count(recent=recent, total=total)
        for post_id, total, recent in db.session.execute(stmt)
    }


def count(post_id: int) -> Count:
    return counts([post_id]).get(post_id, Count())
