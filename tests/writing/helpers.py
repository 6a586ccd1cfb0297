"""Helpers for the studio writing tests (posts, FAQ, previews)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from meridian.extensions import db
from meridian.models import AuditEvent, Post, PostRevision

from ..factories import csrf_token

FIELDS = {
    "title": "",
    "body_md": "",
    "excerpt": "",
    "slug": "",
    "tags": "",
    "author": "",
    "cover_media": "",
    "cover_image": "",
    "cover_alt": "",
    "seo_title": "",
    "description": "",
    "publish_date": "",
    "publish_time": "",
}


def post_form(client, url: str, action: str = "save", token: str | None = None, **values: Any):
    """POST the editor like a browser would: every field, the chosen button."""
    data = FIELDS | {"action": action} | {k: str(v) for k, v in values.items()}
    data["csrf_token"] = token if token is not None else client.csrf
    return client.post(url, data=data)


def editor_token(client, url: str) -> str:
    return csrf_token(client.get(url).text)


def posts(app) -> list[Post]:
    with app.app_context():
        rows = db.session.scalars(select(Post).order_by(Post.id)).all()
        for row in rows:
            _ = row.tags
        db.session.expunge_all()
        return rows


def one_post(app, **by) -> Post:
    with app.app_context():
        post = db.session.scalars(select(Post).filter_by(**by)).one()
        _ = post.tags
        db.session.expunge(post)
        return post


def revisions_of(app, post_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.scalars(
            select(PostRevision).filter_by(post_id=post_id).order_by(PostRevision.id)
        ).all()
        return [(r.kind, r.title) for r in rows]


def audit(app, action_prefix: str = "") -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        db.session.expunge_all()
        return [r for r in rows if r.action.startswith(action_prefix)]


def move_post_time(app, post_id: int, to: datetime) -> None:
    """Put a scheduled post's time somewhere else (instead of waiting for it)."""
    from meridian.models import Tenant

    with app.app_context():
        post = db.session.get(Post, post_id)
        post.published_at = to
        db.session.commit()
        tenant = db.session.get(Tenant, post.tenant_id)
        _ = tenant.next_publish_at


def soon(minutes: int = 90) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=minutes)
