"""What needs attention, on the studio's home page.

Each area registers a function `(tenant, role) -> Panel | None`; the home page shows
every panel returned, in order. Posts register drafts and scheduled posts here; held
comments (engagement) and upcoming bookings (the desk) add theirs the same way:

    from meridian.studio import attention
    attention.register(my_panel, order=30)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from ..models import Post, Tenant, utcnow
from ..tenancy import tenant_select


@dataclass
class Item:
    label: str
    url: str
    when: datetime | None = None
    note: str = ""


@dataclass
class Panel:
    title: str
    count: int
    url: str
    link_label: str
    items: list[Item] = field(default_factory=list)
    empty: str = ""
    # A sentence under the title, for panels that give figures rather than a list.
    summary: str = ""


PanelFn = Callable[[Tenant, str | None], Panel | None]
_PANELS: list[tuple[int, PanelFn]] = []


def register(fn: PanelFn, order: int = 50) -> PanelFn:
    if all(existing is not fn for _, existing in _PANELS):
        _PANELS.append((order, fn))
        _PANELS.sort(key=lambda pair: pair[0])
    return fn


def panels(tenant: Tenant, role: str | None) -> list[Panel]:
    return [panel for _, fn in _PANELS if (panel := fn(tenant, role)) is not None]


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


def drafts(tenant: Tenant, role: str | None) -> Panel | None:
    from flask import url_for

    if role not in ("owner", "editor"):
        return None
    stmt = tenant_select(Post, Post.published_at.is_(None))
    rows = db.session.scalars(stmt.order_by(Post.updated_at.desc()).limit(5)).all()
    return Panel(
        "Drafts",
        _count(stmt),
        url_for("studio.posts", status="draft"),
        "All drafts",
        [
            Item(p.title, url_for("studio.post_edit", post_id=p.id), p.updated_at, "last saved")
            for p in rows
        ],
        "No drafts waiting.",
    )


def scheduled(tenant: Tenant, role: str | None) -> Panel | None:
    from flask import url_for

    if role not in ("owner", "editor"):
        return None
    stmt = tenant_select(Post, Post.published_at > utcnow())
    rows = db.session.scalars(stmt.order_by(Post.published_at).limit(5)).all()
    return Panel(
        "Scheduled posts",
        _count(stmt),
        url_for("studio.posts", status="scheduled"),
        "All scheduled posts",
        [
            Item(p.title, url_for("studio.post_edit", post_id=p.id), p.published_at, "goes live")
            for p in rows
        ],
        "Nothing scheduled.",
    )


def held_comments(tenant: Tenant, role: str | None) -> Panel | None:
    from flask import url_for

    from ..models import Comment

    if role not in ("owner", "editor"):
        return None
    stmt = tenant_select(Comment, Comment.status == "held")
    rows = db.session.execute(
        stmt.with_only_columns(Comment.author_name, Comment.created_at, Post.title)
        .join(Post, (Post.id == Comment.post_id) & (Post.tenant_id == Comment.tenant_id))
        .order_by(Comment.created_at.desc())
        .limit(5)
    ).all()
    url = url_for("studio.comments")
    return Panel(
        "Comments waiting for approval",
        _count(stmt),
        url,
        "Moderate comments",
        [Item(f"{name} on “{title}”", url, when, "written") for name, when, title in rows],
        "No comments waiting.",
    )


def upcoming_bookings(tenant: Tenant, role: str | None) -> Panel | None:
    """How many confirmed appointments today and in the next seven days (clinic's zone).

    Figures only: names and reasons stay on the bookings desk, where views are audited.
    """
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from flask import current_app, url_for

    from ..models import Booking
    from .post_form import zone_of

    if role not in ("owner", "front_desk"):
        return None
    now = utcnow()
    zone = ZoneInfo(zone_of(tenant))
    local_midnight = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    end_of_today = (local_midnight + timedelta(days=1)).astimezone(now.tzinfo)
    week_end = (local_midnight + timedelta(days=8)).astimezone(now.tzinfo)
    base = tenant_select(Booking, Booking.status == "confirmed", Booking.starts_at >= now)
    today = _count(base.where(Booking.starts_at < end_of_today))
    week = _count(base.where(Booking.starts_at < week_end))
    desk = "studio.bookings" if "studio.bookings" in current_app.view_functions else None
    return Panel(
        "Upcoming bookings",
        week,
        url_for(desk) if desk else "",
        "Open the bookings desk",
        summary=f"{_appointments(today)} still to come today; "
        f"{_appointments(week)} in the next seven days.",
    )


def _appointments(n: int) -> str:
    return f"{n} appointment{'' if n == 1 else 's'}"


register(drafts, order=10)
register(scheduled, order=20)
register(held_comments, order=30)
register(upcoming_bookings, order=40)
