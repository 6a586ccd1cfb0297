"""A clinic leaving Meridian: download its complete export (a ZIP: the bundle that
`tenants load` reads back, its bookings, clients and subscribers as CSV, its photos),
then delete it, only within a day of an export and after typing its name. Both are
POSTs with CSRF; the export is audited under the clinic (with its time: it is what
allows the deletion), the deletion at platform level (the clinic's own log goes too)."""

from __future__ import annotations

import tempfile

from flask import flash, redirect, send_file, url_for
from flask_login import current_user

from .. import hosts, pagecache
from ..auth import audit
from ..auth.access import platform_admin_required
from ..auth.forms import EmptyForm
from ..bundles import BundleError
from ..bundles.archive import write_archive
from ..extensions import db
from ..models import User, utcnow
from . import bp, removal
from .clinics import DeleteForm, _page, _tenant


def _admin() -> User:
    return db.session.get(User, current_user.id)


@bp.post("/clinics/<int:tenant_id>/export")
@platform_admin_required
def clinic_export(tenant_id: int):
    """The whole clinic as one ZIP, built in a temporary file; the export is audited
    (committed before the download starts)."""
    tenant = _tenant(tenant_id)
    if not EmptyForm().validate_on_submit():
        return _page(tenant, 400)
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (send_file closes it)
    try:
        counts = write_archive(tenant, out)
    except BundleError as problem:
        out.close()
        db.session.rollback()
        flash(f"The export could not be made: {problem}")
        return redirect(url_for("admin.clinic", tenant_id=tenant.id), 303)
    audit.record(removal.EXPORTED, actor=_admin(), target=tenant.slug, tenant=tenant, **counts)
    db.session.commit()
    out.seek(0)
    name = f"{tenant.slug}-export-{utcnow():%Y%m%dT%H%MZ}.zip"
    return send_file(out, mimetype="application/zip", as_attachment=True, download_name=name)


@bp.post("/clinics/<int:tenant_id>/delete")
@platform_admin_required
def clinic_delete(tenant_id: int):
    """Refused (the form again, what was typed kept, the reason beside the field) without
    an export in the last 24 hours or with a name that is not the clinic's exactly."""
    tenant = _tenant(tenant_id)
    form = DeleteForm()
    if not form.validate_on_submit():
        return _page(tenant, 400, delete_form=form)
    exported = removal.fresh_export(tenant)
    if exported is None:
        form.confirm_name.errors.append(
            "Download the clinic's export first: deleting needs an export from the last 24 hours."
        )
        return _page(tenant, 400, delete_form=form)
    changed = removal.changed_since(tenant, exported.created_at)
    if changed:
        form.confirm_name.errors.append(
            f"{changed} booking(s), post(s) or subscriber(s) changed since the last export: "
            "download a new export first, so nothing is lost."
        )
        return _page(tenant, 400, delete_form=form)
    if form.confirm_name.data.strip() != tenant.name:
        form.confirm_name.errors.append(
            f"That is not the clinic's name. Type {tenant.name} exactly to delete it."
        )
        return _page(tenant, 400, delete_form=form)
    name, slug, exported_at = tenant.name, tenant.slug, exported.created_at
    admin = _admin()
    done = removal.delete_clinic(tenant)
    audit.record(
        "clinic.deleted",
        actor=admin,
        target=slug,
        tenant=None,  # the clinic's own log is gone with it; this one stays
        name=name,
        exported_at=exported_at.isoformat(timespec="seconds"),
        domains=done.hostnames,
        rows=sum(done.rows.values()),
        accounts=done.accounts,
    )
    db.session.commit()
    for hostname in done.hostnames:
        hosts.forget(hostname)
    # SQLite may give a new clinic the freed id: no page of this one may be served as its.
    pagecache.forget_local()
    files = removal.remove_files(done)
    flash(
        f"{name} is deleted: {sum(done.rows.values())} rows, {files} stored photo files and "
        f"{done.accounts} staff accounts of no other clinic. Its domains are free."
    )
    return redirect(url_for("admin.home"), 303)
