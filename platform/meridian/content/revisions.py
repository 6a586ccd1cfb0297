"""Post revisions: every save keeps one, any can be restored, autosaves coalesce.

A post that existed before revisions did (or was only ever loaded from a bundle)
gets its current state kept as an `original` revision before its first change, so
whatever was there can always be brought back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import Post, PostRevision, utcnow

CONTENT_FIELDS = (
    "title",
    "slug",
    "body_md",
    "excerpt",
    "description",
    "seo_title",
    "author",
    "cover_media_id",
    "cover_image",
    "cover_alt",
)


def now() -> datetime:
    return utcnow()


def _values(post: Post) -> dict:
    values = {name: getattr(post, name) for name in CONTENT_FIELDS}
    values["tags"] = [tag.name for tag in post.tags]
    values["published_at"] = post.published_at
    return values


def latest(post: Post) -> PostRevision | None:
    return db.session.scalars(
        select(PostRevision)
        .where(PostRevision.tenant_id == post.tenant_id, PostRevision.post_id == post.id)
        .order_by(PostRevision.id.desc())
        .limit(1)
    ).first()


def same_content(revision: PostRevision, values: dict) -> bool:
    return all(getattr(revision, name) == value for name, value in values.items())


def snapshot(post: Post, kind: str, actor: str = "", values: dict | None = None) -> PostRevision:
    """Keep the post's current state (or `values`, for an autosave of words not yet saved).
    An autosave replaces the autosave just before it by the same person, so typing for
    an hour leaves one revision, not hundreds."""
    values = values if values is not None else _values(post)
    previous = latest(post)
    if (
        kind == "autosave"
        and previous is not None
        and previous.kind == "autosave"
        and previous.actor == actor
    ):
        for name, value in values.items():
            setattr(previous, name, value)
        previous.created_at = utcnow()
        db.session.flush()
        return previous
    revision = PostRevision(
        tenant_id=post.tenant_id, post_id=post.id, kind=kind, actor=actor, **values
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def keep_original(post: Post) -> None:
    """Before the first change to a post with no revisions, keep what it was."""
    if post.id is not None and latest(post) is None:
        snapshot(post, "original", "")


def history(post: Post) -> list[PostRevision]:
    return list(
        db.session.scalars(
            select(PostRevision)
            .where(PostRevision.tenant_id == post.tenant_id, PostRevision.post_id == post.id)
            .order_by(PostRevision.id.desc())
        )
    )


def pending_autosave(post: Post) -> PostRevision | None:
    """An autosave newer than the post's last real save: words typed but not saved."""
    revision = latest(post)
    if revision is None or revision.kind != "autosave":
        return None
    return None if same_content(revision, _values(post)) else revision
