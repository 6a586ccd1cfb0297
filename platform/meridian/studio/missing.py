"""The 404 watch in the studio: the paths that found nothing on the clinic's own site,
most requested first, each with a one-click permanent redirect to a suggested page, a
post or page chosen from the list, or a typed path. Owners and editors (who already move
addresses: renaming a published post leaves a redirect). Audited; the same service as
the admin console's page (`meridian.missing_paths`)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import missing_paths
from ..auth.access import role_required
from ..auth.forms import EmptyForm
from ..extensions import db
from ..models import User
from ..tenancy import current_tenant
from . import bp, nav
from .posts import WRITERS

nav.add("Missing pages", "studio.missing", order=25)


def _page(status: int = 200, typed=None, errors=None):
    tenant = current_tenant()
    return render_template(
        "studio/missing.html",
        clinic_name=tenant.name,
        watch=missing_paths.watch(tenant),
        action=lambda row: url_for("studio.missing_redirect", path_id=row.id),
        typed=typed or {},
        errors=errors or {},
    ), status


@bp.get("/missing")
@role_required(*WRITERS)
def missing():
    return _page()


@bp.post("/missing/<int:path_id>/redirect")
@role_required(*WRITERS)
def missing_redirect(path_id: int):
    tenant = current_tenant()
    row = missing_paths.find(tenant, path_id)
    if row is None:
        abort(404)  # another clinic's path, or one already redirected
    if not EmptyForm().validate_on_submit():
        abort(400)
    typed = request.form.get("target", "")
    try:
        target = missing_paths.redirect_missing(
            tenant, row, typed, db.session.get(User, current_user.id)
        )
    except missing_paths.RedirectRefused as problem:
        db.session.rollback()
        return _page(400, typed={path_id: typed}, errors={path_id: str(problem)})
    path = row.path
    db.session.commit()
    flash(f"{path} now redirects to {target}.", "success")
    return redirect(url_for("studio.missing"), 303)
