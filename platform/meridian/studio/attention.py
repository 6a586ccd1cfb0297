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


register(drafts, order=10)
register(scheduled, order=20)
