"""The media library in the studio: upload from a computer or a phone, describe, delete.

Owners and editors. Every change is a POST with CSRF; deleting asks first on a page of
its own (works without JavaScript). The rules live in `meridian.media.service`.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.validators import Length

from ..auth.access import role_required
from ..extensions import db
from ..media import service
from ..media.images import ACCEPTED_NAMES, ImageRefused
from ..models import MediaItem
from ..tenancy import current_tenant, get_for_tenant_or_404, tenant_select
from . import bp, nav

nav.add("Media", "studio.media", order=30)
ACCEPT = "image/jpeg,image/png,image/webp,image/avif,image/heic,image/heif,.heic,.heif,.avif"


class UploadForm(FlaskForm):
    photo = FileField("Photo")
    alt = StringField(
        "Describe the photo for people who cannot see it",
        validators=[Length(max=service.ALT_MAX)],
    )


class AltForm(FlaskForm):
    alt = StringField("Description", validators=[Length(max=service.ALT_MAX)])


class ConfirmForm(FlaskForm):
    """Only the CSRF token."""


def _actor() -> str:
    return current_user.email if current_user.is_authenticated else ""


def _library(form: UploadForm, status: int = 200, refused: tuple[int, AltForm] | None = None):
    """The library page; `refused`: one item's description form with its error and text."""
    items = db.session.scalars(
        tenant_select(MediaItem).order_by(MediaItem.created_at.desc(), MediaItem.id.desc())
    ).all()
    alt_forms = {item.id: AltForm(prefix=f"m{item.id}", alt=item.alt) for item in items}
    if refused is not None:
        alt_forms[refused[0]] = refused[1]
    page = render_template(
        "studio/media.html",
        form=form,
        items=items,
        alt_forms=alt_forms,
        accept=ACCEPT,
        accepted_names=ACCEPTED_NAMES,
        max_mb=current_app.config["MEDIA_MAX_BYTES"] // 1_000_000,
    )
    return page, status


@bp.get("/media")
@role_required("owner", "editor")
def media():
    """Every photo of the clinic, newest first, with the upload form on top."""
    return _library(UploadForm())


@bp.post("/media")
@role_required("owner", "editor")
def media_upload():
    form = UploadForm()
    if not form.validate():
        return _library(form, 400)
    upload = request.files.get(form.photo.name)
    if upload is None or not upload.filename:
        form.photo.errors = ["Choose a photo to upload."]
        return _library(form, 400)
    tenant = current_tenant()
    try:
        item = service.save_upload(
            tenant.id,
            upload.stream,
            filename=upload.filename,
            alt=form.alt.data or "",
            actor=_actor(),
        )
    except ImageRefused as exc:
        form.photo.errors = [str(exc), "Nothing was saved; choose the file again to retry."]
        return _library(form, 400)
    except ValueError as exc:  # the description
        form.alt.errors = [str(exc)]
        return _library(form, 400)
    flash(f"Uploaded {item.filename or 'the photo'}.", "success")
    return redirect(url_for("studio.media", _anchor=f"media-{item.id}"), 303)


@bp.post("/media/<int:item_id>/alt")
@role_required("owner", "editor")
def media_alt(item_id: int):
    item = get_for_tenant_or_404(MediaItem, id=item_id)
    form = AltForm(prefix=f"m{item.id}")
    if form.validate():
        try:
            service.set_alt(item, form.alt.data or "", actor=_actor())
        except ValueError as exc:
            form.alt.errors = [str(exc)]
    if form.errors:
        db.session.rollback()
        return _library(UploadForm(), 400, refused=(item.id, form))
    flash("Description saved.", "success")
    return redirect(url_for("studio.media", _anchor=f"media-{item.id}"), 303)


@bp.get("/media/<int:item_id>/delete")
@role_required("owner", "editor")
def media_delete_confirm(item_id: int):
    """Ask before deleting: a page of its own, so it works without JavaScript."""
    item = get_for_tenant_or_404(MediaItem, id=item_id)
    uses = service.uses_of(item)
    return render_template("studio/media_delete.html", item=item, form=ConfirmForm(), uses=uses)


@bp.post("/media/<int:item_id>/delete")
@role_required("owner", "editor")
def media_delete(item_id: int):
    item = get_for_tenant_or_404(MediaItem, id=item_id)
    form = ConfirmForm()
    if not form.validate():
        return render_template("studio/media_delete.html", item=item, form=form, uses=[]), 400
    name = item.filename or "the photo"
    try:
        service.delete_item(item, actor=_actor())
    except service.MediaInUse:
        db.session.rollback()
        uses = service.uses_of(item)
        return render_template("studio/media_delete.html", item=item, form=form, uses=uses), 409
    flash(f"Deleted {name}.", "success")
    return redirect(url_for("studio.media"), 303)
