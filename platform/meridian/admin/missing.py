"""The 404 watch for a clinic: the most requested paths that found nothing on its host
(old links after a move), each with a one-click permanent redirect to a suggested page
(or a path the admin types). Redirecting clears the path from the list; audited."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth import audit
from ..auth.access import platform_admin_required
from ..auth.forms import EmptyForm
from ..content import redirects
from ..extensions import db
from ..models import MissingPath, Post, Tag, Tenant, User
from . import bp

SHOWN = 50
_WORDS = re.compile(r"[a-z0-9]+")


def _tenant(tenant_id: int) -> Tenant:
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        abort(404)
    return tenant


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


@bp.get("/clinics/<int:tenant_id>/missing")
@platform_admin_required
def missing(tenant_id: int):
    tenant = _tenant(tenant_id)
    rows = db.session.scalars(
        select(MissingPath)
        .where(MissingPath.tenant_id == tenant.id)
        .order_by(MissingPath.hits.desc(), MissingPath.last_seen.desc())
        .limit(SHOWN)
    ).all()
    posts = {
        slug: f"/blog/{slug}"
        for slug in db.session.scalars(select(Post.slug).where(Post.tenant_id == tenant.id))
    }
    tags = set(db.session.scalars(select(Tag.slug).where(Tag.tenant_id == tenant.id)))
    return render_template(
        "admin/missing.html",
        tenant=tenant,
        rows=rows,
        suggestions={row.id: suggest(row.path, posts, tags) for row in rows},
        form=EmptyForm(),
    )


@bp.post("/clinics/<int:tenant_id>/missing/<int:path_id>/redirect")
@platform_admin_required
def missing_redirect(tenant_id: int, path_id: int):
    tenant = _tenant(tenant_id)
    row = db.session.scalars(
        select(MissingPath).where(MissingPath.id == path_id, MissingPath.tenant_id == tenant.id)
    ).first()
    if row is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    target = (request.form.get("target") or "").strip()
    try:
        if target == row.path or not target.startswith("/") or target.startswith("//"):
            raise ValueError(target)
        redirects.add(tenant, row.path, target, reason="manual")
    except ValueError:
        flash(f"Enter a path on the clinic's site, starting with /, for {row.path}.")
        return redirect(url_for("admin.missing", tenant_id=tenant.id))
    audit.record(
        "redirect.added",
        actor=db.session.get(User, current_user.id),
        target=row.path,
        tenant=tenant,
        to=target,
        hits=row.hits,
    )
    db.session.delete(row)
    db.session.commit()
    flash(f"{row.path} now redirects to {target}.")
    return redirect(url_for("admin.missing", tenant_id=tenant.id))
