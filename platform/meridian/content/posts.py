"""Saving posts: the rules every writer (studio, bundles, blog import) goes through.

`save_post` checks the fields (all refusals at once, each naming its field), renders
and sanitises the Markdown, keeps slugs unique per clinic, sets the tags, keeps a
revision, turns a published post's old slug into a 301, and announces the change.
It flushes but never commits: the caller owns the transaction.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..markdown import reading_minutes, render_markdown
from ..models import MediaItem, Post, PostRevision, Tag, Tenant
from . import redirects, revisions
from .audit import Change, record
from .errors import ContentInvalid
from .fields import POST_SLUG, TAG_SLUG, apply, check_line, check_text, slugify
from .post_data import LIMITS, MAX_TAGS, PostData, Saved


def post_path(slug: str) -> str:
    """The public path of a post, from the URL map (works outside a request)."""
    adapter = current_app.url_map.bind("localhost", script_name="/")
    return adapter.build("site.post", {"slug": slug})


def check(tenant: Tenant, data: PostData, post: Post | None = None) -> dict[str, str]:
    """Every refusal for `data` (already tidied), keyed by field; empty when it may be saved."""
    errors: dict[str, str] = {}
    if not data.title:
        errors["title"] = "Give the post a title."
    for name, label in (
        ("title", "The title"),
        ("description", "The SEO description"),
        ("seo_title", "The SEO title"),
        ("author", "The author"),
        ("cover_alt", "The cover image's description"),
        ("cover_image", "The cover image"),
    ):
        if name not in errors:
            check_line(errors, name, getattr(data, name) or "", label, LIMITS[name])
    check_text(errors, "body_md", data.body_md, "The text", LIMITS["body_md"])
    check_text(errors, "excerpt", data.excerpt, "The excerpt", LIMITS["excerpt"])
    cover = data.cover_image or ""
    if cover and "cover_image" not in errors and (not cover.startswith("/") or cover[:2] == "//"):
        errors["cover_image"] = "Choose an image from this site's media library."
    if data.cover_media_id is not None and not _media_exists(tenant, data.cover_media_id):
        errors["cover_image"] = "That photo is no longer in the media library; choose another."
    if (
        (data.cover_image or data.cover_media_id)
        and not data.cover_alt
        and "cover_alt" not in errors
    ):
        errors["cover_alt"] = (
            "Describe the cover image for people who cannot see it "
            "(what it shows, in a short sentence)."
        )
    _check_slug(tenant, data, post, errors)
    if len(data.tags) > MAX_TAGS:
        errors["tags"] = f"Use at most {MAX_TAGS} tags."
    for name in data.tags:
        if len(name) > 63 or not TAG_SLUG.match(slugify(name, 63)):
            errors["tags"] = f"The tag {name!r} needs letters or digits, at most 63 characters."
    if data.published_at is not None and data.published_at.tzinfo is None:
        raise ValueError("published_at must be an aware datetime")
    return errors


def _media_exists(tenant: Tenant, media_id: int) -> bool:
    found = select(MediaItem.id).where(MediaItem.tenant_id == tenant.id, MediaItem.id == media_id)
    return db.session.scalar(found) is not None


def covers_using(tenant: Tenant, media_id: int) -> list[Post]:
    """Posts whose cover is this photo (the library refuses to delete it while any are)."""
    return list(
        db.session.scalars(
            select(Post).where(Post.tenant_id == tenant.id, Post.cover_media_id == media_id)
        )
    )


def _check_slug(tenant: Tenant, data: PostData, post: Post | None, errors: dict[str, str]) -> None:
    if not data.slug:
        if "title" not in errors and not slugify(data.title):
            errors["slug"] = "Choose the post's address (letters, digits and dashes)."
        return
    if len(data.slug) > LIMITS["slug"] or not POST_SLUG.match(data.slug):
        errors["slug"] = (
            "Use lower-case letters, digits and dashes only, starting with a letter or digit "
            f"(at most {LIMITS['slug']})."
        )
        return
    clash = select(Post.title).where(Post.tenant_id == tenant.id, Post.slug == data.slug)
    if post is not None and post.id is not None:
        clash = clash.where(Post.id != post.id)
    other = db.session.scalars(clash.limit(1)).first()
    if other is not None:
        errors["slug"] = (
            f"Another post (“{other}”) already uses the address {post_path(data.slug)}. "
            f"Choose another, for example {_free_slug(tenant, data.slug)}."
        )


def _free_slug(tenant: Tenant, base: str) -> str:
    taken = set(
        db.session.scalars(
            select(Post.slug).where(Post.tenant_id == tenant.id, Post.slug.like(f"{base}-%"))
        )
    )
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base[: LIMITS['slug'] - len(str(n)) - 1]}-{n}"


def unique_slug(tenant: Tenant, title: str) -> str:
    """A free slug made from a title (for new posts that did not name one)."""
    base = slugify(title) or "post"
    exists = db.session.scalar(
        select(func.count()).where(Post.tenant_id == tenant.id, Post.slug == base)
    )
    return _free_slug(tenant, base) if exists else base


def save_post(
    tenant: Tenant,
    post: Post | None,
    data: PostData,
    *,
    actor: str = "",
    source: str = "studio",
    kind: str | None = None,
) -> Saved:
    """Create (`post` None) or update a post from `data`; raises ContentInvalid."""
    data = data.tidy()
    if not data.slug and post is not None:
        data.slug = post.slug  # an emptied address field keeps the post where it is
    elif not data.slug and data.title:
        data.slug = unique_slug(tenant, data.title)
    errors = check(tenant, data, post)
    if errors:
        raise ContentInvalid(errors)
    created = post is None
    if post is None:
        post = Post(tenant_id=tenant.id, slug=data.slug)
        db.session.add(post)
        before = None
    else:
        revisions.keep_original(post)
        before = PostData.of(post)
    was_live, old_slug = (not created and post.is_live()), post.slug
    values = {
        "title": data.title,
        "slug": data.slug,
        "body_md": data.body_md,
        "body_html": render_markdown(data.body_md),
        "reading_minutes": reading_minutes(data.body_md),
        "excerpt": data.excerpt,
        "description": data.description,
        "seo_title": data.seo_title,
        "author": data.author,
        "cover_media_id": data.cover_media_id,
        "cover_image": data.cover_image,
        "cover_alt": data.cover_alt,
        "published_at": data.published_at,
    }
    if data.updated_at is not None:
        values["updated_at"] = data.updated_at
    changes = apply(post, values)
    changes.pop("body_html", None)
    changes.pop("reading_minutes", None)
    changes.pop("updated_at", None)  # bookkeeping: a changed date alone is no new revision
    if _set_tags(tenant, post, data.tags):
        changes["tags"] = [sorted(before.tags) if before else [], sorted(data.tags)]
    if was_live and old_slug != post.slug:
        redirects.add(tenant, post_path(old_slug), post_path(post.slug))
    db.session.flush()
    if data.updated_at is not None and post.updated_at != data.updated_at:
        post.updated_at = data.updated_at  # `onupdate` ran in the flush; the source's date wins
        db.session.flush()
    if not (changes or created):
        return Saved(post, False, {}, None)
    kind = kind or _kind(before, data)
    revision = revisions.snapshot(post, kind, actor)
    action = "post.create" if created else f"post.{kind if kind != 'saved' else 'update'}"
    record(
        tenant,
        Change(tenant.id, action, f"post:{post.id}", f"post {post.slug}", source, actor, changes),
    )
    return Saved(post, created, changes, revision)


def _kind(before: PostData | None, data: PostData) -> str:
    if before is not None and before.published_at == data.published_at:
        return "saved"
    if data.published_at is None:
        return "unpublished" if before is not None and before.published_at else "saved"
    return "scheduled" if data.published_at > revisions.now() else "published"


def _set_tags(tenant: Tenant, post: Post, names: list[str]) -> bool:
    wanted = {slugify(name, 63): name for name in names}
    if {t.slug for t in post.tags} == set(wanted):
        return False
    existing = {
        t.slug: t
        for t in db.session.scalars(
            select(Tag).where(Tag.tenant_id == tenant.id, Tag.slug.in_(list(wanted)))
        )
    }
    tags = []
    for slug, name in wanted.items():
        tag = existing.get(slug)
        if tag is None:
            tag = Tag(tenant_id=tenant.id, slug=slug, name=name)
            db.session.add(tag)
        tags.append(tag)
    post.tags = tags
    return True


def delete_post(tenant: Tenant, post: Post, *, actor: str = "", source: str = "studio") -> None:
    """Delete a post (its revisions go with it); a live post's address then answers 404."""
    label = f"post {post.slug}"
    details = {"title": [post.title, None], "status": [post.status, None]}
    record(
        tenant, Change(tenant.id, "post.delete", f"post:{post.id}", label, source, actor, details)
    )
    db.session.delete(post)
    db.session.flush()


def restore(tenant: Tenant, post: Post, revision: PostRevision, *, actor: str = "") -> Saved:
    """Bring back a revision's words; the post's status stays as it is (restoring never
    publishes or unpublishes)."""
    data = PostData.of(revision)
    data.published_at = post.published_at
    return save_post(tenant, post, data, actor=actor, kind="restored")


def _storable(text: str, limit: int | None) -> str:
    return text.replace("\x00", "")[:limit]


def autosave(tenant: Tenant, post: Post, data: PostData, *, actor: str = "") -> PostRevision:
    """Keep words being typed without changing the post (nor, for a live post, the site):
    a revision of kind `autosave`, replaced by the next one until a real save."""
    data = data.tidy()
    values = {name: getattr(data, name) for name in revisions.CONTENT_FIELDS}
    # Unchecked (a save checks), but storable: bounded, and no NUL (PostgreSQL's text
    # cannot hold one); the save that follows refuses what the rules refuse.
    values = {
        name: _storable(value, LIMITS.get(name)) if isinstance(value, str) else value
        for name, value in values.items()
    }
    values["title"] = values["title"] or post.title
    values["slug"] = values["slug"] or post.slug
    values["tags"] = [_storable(name, 63) for name in data.tags[:MAX_TAGS]]
    values["published_at"] = post.published_at
    return revisions.snapshot(post, "autosave", actor, values)
