"""Posts in the studio: the list (search, filters) and the editor (write, save, publish,
schedule, unpublish). Owners and editors.

Nothing typed is lost: a refused save shows the form again with every word and the
reason next to its field; every save keeps a revision (see post_history); the editor's
script autosaves (see post_extras). The rules themselves live in `meridian.content`.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..auth.access import role_required
from ..content import ContentInvalid, PostData, save_post
from ..content import revisions as revision_rules
from ..desk import attribution
from ..extensions import db
from ..models import MediaItem, Post, PostRevision, Tag, post_tag, utcnow
from ..params import MAX_PAGE, ascii_int, id_arg
from ..tenancy import current_tenant, get_for_tenant_or_404, tenant_select
from . import bp, nav
from .post_form import ACTIONS, PostForm, publication, zone_of
from .rescue import AFTER_CSRF

nav.add("Posts", "studio.posts", order=10)
WRITERS = ("owner", "editor")
PER_PAGE = 20
STATUS_LABELS = {"draft": "Drafts", "scheduled": "Scheduled", "published": "Published"}


def actor_name() -> str:
    return current_user.display_name if current_user.is_authenticated else ""


def status_filter(stmt, status: str):
    now = utcnow()
    if status == "draft":
        return stmt.where(Post.published_at.is_(None))
    if status == "scheduled":
        return stmt.where(Post.published_at > now)
    if status == "published":
        return stmt.where(Post.published_at <= now)
    return stmt


@bp.get("/posts")
@role_required(*WRITERS)
def posts():
    """Every post of the clinic, newest change first; search by words, filter by status/tag."""
    query = "".join(ch for ch in request.args.get("q", "") if ch.isprintable()).strip()[:200]
    status = request.args.get("status", "")
    status = status if status in STATUS_LABELS else ""
    tag_slug = request.args.get("tag", "")[:63]
    page = ascii_int(request.args.get("page"), 1, MAX_PAGE) or 1  # '²' is a digit too
    stmt = status_filter(tenant_select(Post), status).options(selectinload(Post.tags))
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(
            or_(func.lower(Post.title).like(like), func.lower(Post.body_md).like(like))
        )
    tags = db.session.scalars(tenant_select(Tag).order_by(Tag.name)).all()
    tag = next((t for t in tags if t.slug == tag_slug), None)
    if tag is not None:
        stmt = stmt.where(
            Post.id.in_(
                select(post_tag.c.post_id).where(
                    post_tag.c.tag_id == tag.id, post_tag.c.tenant_id == tag.tenant_id
                )
            )
        )
    listing = db.paginate(
        stmt.order_by(Post.updated_at.desc(), Post.id.desc()),
        page=page,
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "studio/posts.html",
        listing=listing,
        query=query,
        status=status,
        statuses=STATUS_LABELS,
        tags=tags,
        tag=tag,
        zone=zone_of(current_tenant()),
        booked=attribution.counts([post.id for post in listing.items]),
        no_bookings=attribution.Count(),
        recent_days=attribution.RECENT_DAYS,
    )


def _media() -> list[MediaItem]:
    return list(db.session.scalars(tenant_select(MediaItem).order_by(MediaItem.created_at.desc())))


def editor_page(form: PostForm, post: Post | None, status: int = 200, **context):
    """The editor, with the form as given (so refused input comes back as typed)."""
    media = _media()
    form.offer_media(media)
    tenant = current_tenant()
    history = revision_rules.history(post) if post is not None else []
    page = render_template(
        "studio/post_edit.html",
        form=form,
        post=post,
        media=media,
        media_library_url=url_for("studio.media")
        if "studio.media" in current_app.view_functions
        else None,
        zone=zone_of(tenant),
        revisions=history,
        pending=revision_rules.pending_autosave(post) if post is not None else None,
        booked=attribution.count(post.id) if post is not None else None,
        recent_days=attribution.RECENT_DAYS,
        **context,
    )
    return page, status


@bp.get("/posts/new")
@role_required(*WRITERS)
def post_new():
    form = PostForm()
    form.author.data = actor_name()
    return editor_page(form, None)


@bp.get("/posts/<int:post_id>/edit")
@role_required(*WRITERS)
def post_edit(post_id: int):
    post = get_for_tenant_or_404(Post, id=post_id)
    form = PostForm()
    loaded = None
    revision_id = id_arg(request.args.get("revision"))  # ASCII digits in bounds, else 404
    if revision_id is not None:
        loaded = get_for_tenant_or_404(PostRevision, id=revision_id, post_id=post.id)
    form.fill_from(post, zone_of(current_tenant()), PostData.of(loaded) if loaded else None)
    latest = revision_rules.latest(post)
    form.revision.data = str(latest.id) if latest else ""
    return editor_page(form, post, loaded=loaded)


@bp.post("/posts/new")
@role_required(*WRITERS)
def post_create():
    return _save(None)


@bp.post("/posts/<int:post_id>/edit")
@role_required(*WRITERS)
def post_save(post_id: int):
    return _save(get_for_tenant_or_404(Post, id=post_id))


def _save(post: Post | None):
    tenant = current_tenant()
    form = PostForm()
    action = request.form.get("action", "save")
    if action not in ACTIONS:
        action = "save"
    form.validate()  # fills the date and time fields' own errors (typed nonsense)
    try:
        data = form.to_data(post)
        when, note = publication(action, post, form, tenant)
        data.published_at = when
        saved = save_post(tenant, post, data, actor=actor_name())
        db.session.commit()
    except ContentInvalid as refused:
        db.session.rollback()
        form.show_errors(refused.errors)
        return editor_page(form, post, 200, refused=True)  # 200: a 4xx page logs a console error
    flash(_outcome(saved.post, action, saved.changed) + (f" {note}" if note else ""), "success")
    return redirect(url_for("studio.post_edit", post_id=saved.post.id))


def _after_csrf(post_id: int | None = None):
    """The editor again, as posted, with a fresh token (see rescue.py)."""
    post = get_for_tenant_or_404(Post, id=post_id) if post_id is not None else None
    form = PostForm()
    return editor_page(form, post, 400, csrf_lost=True)


AFTER_CSRF["studio.post_create"] = _after_csrf
AFTER_CSRF["studio.post_save"] = _after_csrf


def _outcome(post: Post, action: str, changed: bool) -> str:
    if not changed:
        return "Nothing had changed since the last save."
    if action == "unpublish":
        return "Unpublished: the post is a draft again and no longer on the site."
    status = post.status
    if status == "published" and action == "publish":
        return "Published: the post is on the site now."
    if status == "scheduled":
        return "Scheduled: the post will appear on the site at the time shown."
    return "Saved." if status == "draft" else "Saved: the site shows the new version."
