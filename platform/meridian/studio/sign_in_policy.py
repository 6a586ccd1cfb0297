"""The clinic's sign-in policy, for owners: must every member of staff use a second factor?

When it is switched on, staff without one are asked to set up an authenticator app at
their next sign-in (meridian.auth.second_factor); sessions already open go on.
"""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from ..auth import audit
from ..auth.access import role_required
from ..auth.factor_forms import StaffSecondFactorForm
from ..extensions import db
from ..models import User
from ..tenancy import current_tenant
from . import bp


@bp.post("/staff/second-factor")
@role_required("owner")
def staff_second_factor():
    form = StaffSecondFactorForm()
    if form.validate_on_submit():
        tenant = current_tenant()
        before = bool(tenant.staff_second_factor_required)
        tenant.staff_second_factor_required = bool(form.required.data)
        if before != tenant.staff_second_factor_required:
            audit.record(
                "clinic.second_factor_policy",
                actor=db.session.get(User, current_user.id),
                target=tenant.slug,
                before=before,
                after=tenant.staff_second_factor_required,
            )
        db.session.commit()
        flash(
            "Every member of staff must now use a second factor."
            if tenant.staff_second_factor_required
            else "A second factor is now each person's choice."
        )
    return redirect(url_for("studio.security"))
