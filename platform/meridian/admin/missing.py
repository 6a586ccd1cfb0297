"""The 404 watch for any clinic, in the admin console: the same list and one-click
redirect as the clinic's own studio page (`meridian.missing_paths` holds both)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import missing_paths
from ..auth.access import platform_admin_required
from ..auth.forms import EmptyForm
from ..extensions import db
from ..models import Tenant, User
from . import bp


def _tenant(tenant_id: int) -> Tenant:
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        abort(404)
    return tenant


def _page(tenant: Tenant, status: int = 200, typed=None, errors=None):
    return render_template(
        "admin/missing.html",
        tenant=tenant,
        clinic_name=tenant.name,
        watch=missing_paths.watch(tenant),
        action=lambda row: url_for("admin.missing_redirect", tenant_id=tenant.id, path_id=row.id),
        typed=typed or {},
        errors=errors or {},
    ), status


@bp.get("/clinics/<int:tenant_id>/missing")
@platform_admin_required
def missing(tenant_id: int):
    return _page(_tenant(tenant_id))


@bp.post("/clinics/<int:tenant_id>/missing/<int:path_id>/redirect")
@platform_admin_required
def missing_redirect(tenant_id: int, path_id: int):
    tenant = _tenant(tenant_id)
    row = missing_paths.find(tenant, path_id)
    if row is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    typed = request.form.get("target", "")
    try:
        target = missing_paths.redirect_missing(
            tenant, row, typed, db.session.get(User, current_user.id)
        )
    except missing_paths.RedirectRefused as problem:
        db.session.rollback()
        return _page(tenant, 400, typed={path_id: typed}, errors={path_id: str(problem)})
    path = row.path
    db.session.commit()
    flash(f"{path} now redirects to {target}.")
    return redirect(url_for("admin.missing", tenant_id=tenant.id), 303)
