"""Importing a clinic's old blog from the console: a URL (a Wix site, a feed) or a file
(a feed, a WordPress export); a dry run first if wanted; each run's report kept.

A run is bounded (IMPORT_POSTS_PER_RUN posts, IMPORT_RUN_SECONDS) so the request stays
short; "Run again" continues where it stopped and never duplicates a post."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from sqlalchemy import select
from wtforms import BooleanField, URLField
from wtforms.validators import Length, Optional, ValidationError

from ..auth import audit
from ..auth.access import platform_admin_required
from ..extensions import db
from ..importer import import_blog
from ..media.service import read_limited
from ..models import ImportRun, Tenant, User
from . import bp

FILE_MAX_BYTES = 50 * 1_000_000


class ImportForm(FlaskForm):
    url = URLField(
        "The old blog's address",
        validators=[Optional(), Length(max=500)],
    )
    upload = FileField(
        "Or a file: an RSS or Atom feed, or a WordPress export (WXR)",
        validators=[FileAllowed(["xml", "rss", "atom"], "Choose an .xml file.")],
    )
    publish = BooleanField("Publish the posts that are published on the old site")
    dry_run = BooleanField("Dry run: show what would come across, change nothing")

    def validate_url(self, field) -> None:
        if field.data and not field.data.lower().startswith(("http://", "https://")):
            raise ValidationError("Enter an address starting with https:// or http://.")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and bool(self.url.data) == bool(self.upload.data):
            self.url.errors.append("Enter an address or choose a file (one of them).")
            return False
        return ok


def _tenant(tenant_id: int) -> Tenant:
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        abort(404)
    return tenant


def _runs(tenant: Tenant) -> list[ImportRun]:
    return list(
        db.session.scalars(
            select(ImportRun)
            .where(ImportRun.tenant_id == tenant.id)
            .order_by(ImportRun.created_at.desc(), ImportRun.id.desc())
            .limit(20)
        )
    )


def _page(tenant: Tenant, form: ImportForm | None = None, status: int = 200):
    page = render_template(
        "admin/import.html", tenant=tenant, form=form or ImportForm(), runs=_runs(tenant)
    )
    return page, status


@bp.get("/clinics/<int:tenant_id>/import")
@platform_admin_required
def import_form(tenant_id: int):
    return _page(_tenant(tenant_id))


@bp.post("/clinics/<int:tenant_id>/import")
@platform_admin_required
def import_start(tenant_id: int):
    tenant = _tenant(tenant_id)
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(tenant, form, 422)
    admin = db.session.get(User, current_user.id)
    options = {"publish": form.publish.data, "dry_run": form.dry_run.data, "user": admin}
    if form.url.data:
        run = import_blog(tenant, url=form.url.data.strip(), **options)
    else:
        try:
            data = read_limited(form.upload.data.stream, FILE_MAX_BYTES)
        except ValueError as problem:
            form.upload.errors.append(str(problem))
            return _page(tenant, form, 422)
        finally:
            form.upload.data.close()
        run = import_blog(tenant, data=data, filename=form.upload.data.filename or "", **options)
    audit.record(
        "import.dry_run" if run.dry_run else "import.run",
        actor=admin,
        target=run.source,
        tenant=tenant,
        status=run.status,
        imported=run.count("imported"),
        skipped=run.count("skipped"),
        failed=run.count("failed"),
    )
    db.session.commit()
    flash(_summary(run))
    return redirect(url_for("admin.import_report", tenant_id=tenant.id, run_id=run.id))


def _summary(run: ImportRun) -> str:
    if run.status == "failed" and not run.report:
        return f"The import could not start: {run.problem}"
    parts = [
        f"{run.count(action)} {label}"
        for action, label in (
            ("would import", "would come across"),
            ("imported", "imported"),
            ("skipped", "skipped"),
            ("failed", "failed"),
            ("not yet", "left for the next run"),
        )
        if run.count(action)
    ]
    text = ", ".join(parts) or "nothing found"
    if run.status == "failed":
        return f"The import stopped ({run.problem}); {text}. Run it again to resume."
    return f"{'Dry run' if run.dry_run else 'Import'} finished: {text}."


@bp.get("/clinics/<int:tenant_id>/imports/<int:run_id>")
@platform_admin_required
def import_report(tenant_id: int, run_id: int):
    tenant = _tenant(tenant_id)
    run = db.session.scalars(
        select(ImportRun).where(ImportRun.id == run_id, ImportRun.tenant_id == tenant.id)
    ).first()
    if run is None:
        abort(404)
    return render_template(
        "admin/import_report.html", tenant=tenant, run=run, summary=_summary(run)
    )
