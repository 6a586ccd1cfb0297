"""Read queries for public pages, all through the tenant scope, none per item."""

from __future__ import annotations

from collections import defaultdict

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Faq, OpeningHours, Post, Service, Tag, post_tag, utcnow
from ..tenancy import current_tenant, tenant_select


def live_posts():
    """Published posts of the current tenant, newest first (scheduled ones excluded)."""
    return tenant_select(Post, Post.published_at <= utcnow()).order_by(
        Post.published_at.desc(), Post.id.desc()
    )


def recent_posts(limit: int = 5, exclude_id: int | None = None) -> list[Post]:
    stmt = live_posts().limit(limit)
    if exclude_id is not None:
        stmt = stmt.where(Post.id != exclude_id)
    return list(db.session.scalars(stmt))


def live_post_or_404(slug: str) -> Post:
    stmt = (
        live_posts()
        .where(Post.slug == slug)
        .options(joinedload(Post.tags), joinedload(Post.cover_media))
    )
    post = db.session.scalars(stmt).unique().first()
    if post is None:
        abort(404)
    return post


def paginate_posts(page: int, per_page: int, tag: Tag | None = None):
    stmt = live_posts().options(selectinload(Post.tags))
    if tag is not None:
        stmt = stmt.join(
            post_tag, (post_tag.c.post_id == Post.id) & (post_tag.c.tenant_id == Post.tenant_id)
        ).where(post_tag.c.tag_id == tag.id)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def _live_tag_ids():
    """Ids of the tags on at least one live post (a tag used only by drafts stays hidden)."""
    live = live_posts().with_only_columns(Post.id).order_by(None)
    return select(post_tag.c.tag_id).where(
        post_tag.c.tenant_id == current_tenant().id, post_tag.c.post_id.in_(live)
    )


def tag_or_404(slug: str) -> Tag:
    tag = db.session.scalars(
        tenant_select(Tag, Tag.slug == slug, Tag.id.in_(_live_tag_ids()))
    ).first()
    if tag is None:
        abort(404)
    return tag


def services() -> list[Service]:
    return list(db.session.scalars(tenant_select(Service).order_by(Service.position, Service.id)))


def faqs() -> list[Faq]:
    return list(db.session.scalars(tenant_select(Faq).order_by(Faq.position, Faq.id)))


def hours_by_location() -> dict[int, list[OpeningHours]]:
    """All opening hours of the tenant in one query, keyed by location id."""
    rows = db.session.scalars(
        tenant_select(OpeningHours).order_by(OpeningHours.weekday, OpeningHours.opens)
    )
    grouped: dict[int, list[OpeningHours]] = defaultdict(list)
    for row in rows:
        grouped[row.location_id].append(row)
    return grouped


def sitemap_entries() -> tuple[list[Post], list[Tag]]:
    posts = list(db.session.scalars(live_posts()))
    tags = list(
        db.session.scalars(tenant_select(Tag, Tag.id.in_(_live_tag_ids())).order_by(Tag.slug))
    )
    return posts, tags
