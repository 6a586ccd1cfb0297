"""The 404 watch, read and acted on: the most requested paths that found nothing on a
clinic's host (old links after a move), each with a suggested new page, and the
one-click permanent redirect that clears a path from the list (audited under the
clinic, so its owner sees who redirected what).

One service for both doors: the admin console (`admin/missing.py`, any clinic) and the
studio (`studio/missing.py`, the clinic's own owners and editors). Counting the misses
is `site/missing.py`'s job. Functions take the tenant explicitly and filter by it (in
the studio the tenancy guard adds the same criterion); they flush, the caller commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from .auth import audit
from .content import redirects
from .extensions import db
from .models import MissingPath, Post, Tag, Tenant, User

SHOWN = 50
TARGET_MAX = 300
#: Pages every clinic's site has, offered beside its posts as redirect targets.
SITE_PAGES = (
    ("/", "Home page"),
    ("/blog", "Blog"),
    ("/book", "Book an appointment"),
    ("/contact", "Contact"),
    ("/faq", "FAQ"),
    ("/team", "Team"),
    ("/privacy", "Privacy notice"),
)
_WORDS = re.compile(r"[a-z0-9]+")


class RedirectRefused(ValueError):
    """The target is not a path on the clinic's own site; the message says what to type."""


@dataclass
class Watch:
    rows: list[MissingPath]
    #: row id -> the suggested new address
    suggestions: dict[int, str]
    #: (path, label) of the pages a path can be sent to: the site's pages, then its posts
    pages: list[tuple[str, str]]


def suggest(path: str, posts: dict[str, str], tags: set[str]) -> str:
    """The likeliest new home of an old path: the post whose slug is its last part (or
    shares the most words with it), a tag page, else the blog."""
    parts = [p for p in path.lower().split("/") if p]
    last = parts[-1] if parts else ""
    if last in posts:
        return posts[last]
    if last in tags:
        return f"/blog/tag/{last}"
    words = set(_WORDS.findall(last))
    best, score = "", 0
    for slug, target in posts.items():
        common = len(words & set(_WORDS.findall(slug)))
        if common > score:
            best, score = target, common
    if best and score >= max(2, len(words) // 2):
        return best
    return (
        "/blog" if parts and parts[0] in ("blog", "post", "single-post", "category", "tag") else "/"
    )


def watch(tenant: Tenant) -> Watch:
    """The most requested missing paths (most hits, then the latest), with suggestions."""
    rows = list(
        db.session.scalars(
            select(MissingPath)
            .where(MissingPath.tenant_id == tenant.id)
            .order_by(MissingPath.hits.desc(), MissingPath.last_seen.desc(), MissingPath.id)
            .limit(SHOWN)
        )
    )
    live = db.session.execute(
        select(Post.slug, Post.title)
        .where(Post.tenant_id == tenant.id, Post.published_at.is_not(None))
        .order_by(Post.title, Post.id)
    ).all()
    posts = {slug: f"/blog/{slug}" for slug, _ in live}
    tags = set(db.session.scalars(select(Tag.slug).where(Tag.tenant_id == tenant.id)))
    return Watch(
        rows=rows,
        suggestions={row.id: suggest(row.path, posts, tags) for row in rows},
        pages=list(SITE_PAGES) + [(f"/blog/{slug}", title) for slug, title in live],
    )


def find(tenant: Tenant, path_id: int) -> MissingPath | None:
    """One of this clinic's missing paths (never another clinic's)."""
    return db.session.scalars(
        select(MissingPath).where(MissingPath.id == path_id, MissingPath.tenant_id == tenant.id)
    ).first()


def redirect_missing(tenant: Tenant, row: MissingPath, target: str, actor: User) -> str:
    """Send `row.path` to `target` with a 301 from now on, audit it, and drop the row;
    returns the stored target. Raises RedirectRefused (nothing written) for a target
    that is not a path on this site or is the missing path itself."""
    target = (target or "").strip()
    if not target:
        raise RedirectRefused("Choose a page or type a path, like /blog.")
    if len(target) > TARGET_MAX:
        raise RedirectRefused(f"A path has at most {TARGET_MAX} characters.")
    try:
        stored = redirects.normalise(target)
    except ValueError:
        raise RedirectRefused(
            "Enter a path on the clinic's site, starting with / (not a full address)."
        ) from None
    try:
        old = redirects.normalise(row.path)
    except ValueError:
        raise RedirectRefused("This address cannot be redirected.") from None
    if stored == old:
        raise RedirectRefused("That is the missing path itself: choose another page.")
    redirects.add(tenant, row.path, stored, reason="manual")
    audit.record(
        "redirect.added", actor=actor, target=row.path, tenant=tenant, to=stored, hits=row.hits
    )
    db.session.delete(row)
    db.session.flush()
    return stored
