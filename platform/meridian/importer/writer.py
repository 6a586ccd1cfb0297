"""Where an imported post is written, and its old addresses kept: through the one write
path for content (meridian.content: tidy text, sanitised Markdown, unique slug, revision,
audit, content version) and the per-clinic redirect table. The caller commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from ..content import PostData, post_path, redirects, save_post
from ..extensions import db
from ..models import MediaItem, Post, Tenant

__all__ = ["Draft", "free_slug", "media_path", "path_of", "post_path", "redirect_all", "save"]


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
    cover_alt: str = ""


def media_path(tenant: Tenant, item_id: int) -> str | None:
    item = db.session.scalars(
        select(MediaItem).where(MediaItem.tenant_id == tenant.id, MediaItem.id == item_id)
    ).first()
    if item is None or not item.variants:
        return None
    adapter = current_app.url_map.bind("localhost", script_name="/")
    return adapter.build("media.copy", {"name": item.variants[-1][2]})


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


def save(tenant: Tenant, draft: Draft) -> Post:
    """Raises meridian.content.ContentInvalid when the write path refuses the post."""
    data = PostData(
        title=draft.title,
        slug=draft.slug,
        body_md=draft.body_md,
        excerpt=draft.excerpt,
        author=draft.author[:120],
        tags=list(draft.tags)[:20],
        published_at=draft.published_at,
        cover_media_id=draft.cover_media_id,
        cover_alt=(draft.cover_alt or draft.title)[:300] if draft.cover_media_id else "",
    )
    return save_post(tenant, None, data, actor="import", source="import").post


def redirect_all(tenant: Tenant, old_paths: list[str], new_path: str) -> None:
    """Every old path answers 301 to `new_path` (the per-clinic redirect table; a path
    that is the new address itself is left alone)."""
    for old in old_paths:
        try:
            redirects.add(tenant, old, new_path, reason="import")
        except ValueError:
            continue
