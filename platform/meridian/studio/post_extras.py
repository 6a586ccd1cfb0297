"""Around the editor: preview, shareable preview links, autosave, revisions, delete.

Owners and editors; every change is a POST with CSRF and goes through `meridian.content`
(so it is kept as a revision and written to the audit log).
"""

from __future__ import annotations

from types import SimpleNamespace

from flask import flash, jsonify, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf

from ..auth.access import role_required
from ..auth.audit import record
from ..content import ContentInvalid, PostData, autosave, delete_post, restore, save_post
from ..content import revisions as revision_rules
from ..content.fields import slugify
from ..extensions import db
from ..markdown import reading_minutes, render_markdown
from ..models import MediaItem, Post, PostRevision, utcnow
from ..preview import make_link
from ..tenancy import current_tenant, get_for_tenant_or_404
from . import bp
from .post_form import PostForm, zone_of
from .posts import WRITERS, actor_name, editor_page


class ConfirmForm(FlaskForm):
    """Only the CSRF token."""


def preview_post(data: PostData, post: Post | None) -> SimpleNamespace:
    """What the public page will show for `data`: rendered and sanitised the same way."""
    data = data.tidy()
    body = render_markdown(data.body_md)
    media = None
    if data.cover_media_id is not None:
        media = db.session.get(MediaItem, data.cover_media_id)
        if media is not None and media.tenant_id != current_tenant().id:
            media = None
    now = utcnow()
    return SimpleNamespace(
        id=post.id if post is not None else 0,
        slug=data.slug or slugify(data.title) or "preview",
        title=data.title or "Untitled",
        seo_title=data.seo_title,
        description=data.description,
        excerpt=data.excerpt,
        author=data.author,
        body_html=body,
        reading_minutes=reading_minutes(data.body_md),
        published_at=(post.published_at if post is not None else None) or now,
        updated_at=now,
        tags=[SimpleNamespace(slug=slugify(n, 63), name=n) for n in sorted(data.tags)],
        cover=media,
        cover_image=data.cover_image,
        cover_alt=data.cover_alt,
    )


@bp.post("/posts/preview")
@role_required(*WRITERS)
def post_preview():
    """The editor's text as the public page would show it (nothing is saved)."""
    from ..site.views import render_post

    form = PostForm()
    return render_post(preview_post(form.to_data(None), None), 0, preview={"unsaved": True})


@bp.post("/posts/<int:post_id>/preview")
@role_required(*WRITERS)
def post_preview_saved(post_id: int):
    from ..site.views import render_post

    post = get_for_tenant_or_404(Post, id=post_id)
    form = PostForm()
    return render_post(preview_post(form.to_data(post), post), 0, preview={"unsaved": True})


@bp.post("/posts/<int:post_id>/share")
@role_required(*WRITERS)
def post_share(post_id: int):
    """A signed link that shows the saved draft to someone without an account."""
    post = get_for_tenant_or_404(Post, id=post_id)
    path, expires = make_link(post)
    record(
        "post.preview_link",
        actor=current_user,
        target=f"post:{post.id}",
        label=f"post {post.slug}",
        expires=expires.isoformat(),
    )
    db.session.commit()
    flash(path, "preview-link")
    return redirect(url_for("studio.post_edit", post_id=post.id) + "#share")


@bp.post("/posts/<int:post_id>/autosave")
@role_required(*WRITERS)
def post_autosave(post_id: int):
    """The editor's script sends the form while someone types: kept as an autosave
    revision (the post and the site are unchanged until they save)."""
    post = get_for_tenant_or_404(Post, id=post_id)
    form = PostForm()
    revision = autosave(current_tenant(), post, form.to_data(post), actor=actor_name())
    db.session.commit()
    return _autosaved(revision.created_at, post)


@bp.post("/posts/new/autosave")
@role_required(*WRITERS)
def post_autosave_new():
    """First autosave of a new post: it becomes a draft, so later autosaves have a home."""
    form = PostForm()
    data = form.to_data(None)
    if not (data.title.strip() or data.body_md.strip()):
        return jsonify(saved=False, csrf_token=generate_csrf()), 200
    data.title = data.title.strip() or "Untitled draft"
    try:
        saved = save_post(current_tenant(), None, data, actor=actor_name())
        db.session.commit()
    except ContentInvalid as refused:
        db.session.rollback()
        message = "Not saved automatically yet: " + " ".join(refused.errors.values())
        return jsonify(saved=False, message=message, csrf_token=generate_csrf()), 422
    return _autosaved(utcnow(), saved.post)


def _autosaved(when, post: Post):
    from ..formatting import local_datetime

    return jsonify(
        saved=True,
        message=f"Kept automatically at {local_datetime(when, 'HH:mm', zone_of(current_tenant()))}.",
        csrf_token=generate_csrf(),
        edit_url=url_for("studio.post_edit", post_id=post.id),
        save_url=url_for("studio.post_save", post_id=post.id),
        autosave_url=url_for("studio.post_autosave", post_id=post.id),
        preview_url=url_for("studio.post_preview_saved", post_id=post.id),
    )


@bp.get("/posts/<int:post_id>/revisions")
@role_required(*WRITERS)
def post_revisions(post_id: int):
    post = get_for_tenant_or_404(Post, id=post_id)
    return render_template(
        "studio/post_revisions.html",
        post=post,
        revisions=revision_rules.history(post),
        zone=zone_of(current_tenant()),
    )


@bp.get("/posts/<int:post_id>/revisions/<int:revision_id>")
@role_required(*WRITERS)
def post_revision(post_id: int, revision_id: int):
    post = get_for_tenant_or_404(Post, id=post_id)
    revision = get_for_tenant_or_404(PostRevision, id=revision_id, post_id=post.id)
    return render_template(
        "studio/post_revision.html",
        post=post,
        revision=revision,
        body_html=render_markdown(revision.body_md),
        form=ConfirmForm(),
        zone=zone_of(current_tenant()),
    )


@bp.post("/posts/<int:post_id>/revisions/<int:revision_id>/restore")
@role_required(*WRITERS)
def post_restore(post_id: int, revision_id: int):
    post = get_for_tenant_or_404(Post, id=post_id)
    revision = get_for_tenant_or_404(PostRevision, id=revision_id, post_id=post.id)
    try:
        restore(current_tenant(), post, revision, actor=actor_name())
        db.session.commit()
    except ContentInvalid as refused:
        db.session.rollback()
        form = PostForm()
        form.fill_from(post, zone_of(current_tenant()), PostData.of(revision))
        form.show_errors(refused.errors)
        return editor_page(form, post, 200, loaded=revision, refused=True)
    flash("Restored: the post has the words of that version again.", "success")
    return redirect(url_for("studio.post_edit", post_id=post.id))


@bp.get("/posts/<int:post_id>/delete")
@role_required(*WRITERS)
def post_delete_confirm(post_id: int):
    post = get_for_tenant_or_404(Post, id=post_id)
    return render_template("studio/post_delete.html", post=post, form=ConfirmForm())


@bp.post("/posts/<int:post_id>/delete")
@role_required(*WRITERS)
def post_delete(post_id: int):
    post = get_for_tenant_or_404(Post, id=post_id)
    title = post.title
    delete_post(current_tenant(), post, actor=actor_name())
    db.session.commit()
    flash(f"Deleted “{title}”.", "success")
    return redirect(url_for("studio.posts"))
