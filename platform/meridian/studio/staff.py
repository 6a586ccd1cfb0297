"""The clinic's staff, for owners: who can sign in to this studio and with which role."""

from __future__ import annotations

from flask import render_template
from sqlalchemy.orm import joinedload

from ..auth.access import role_required
from ..extensions import db
from ..models import Membership, User
from ..tenancy import tenant_select
from . import bp, nav

nav.add("Staff", "studio.staff", order=90)


@bp.get("/staff")
@role_required("owner")
def staff():
    members = db.session.scalars(
        tenant_select(Membership)
        .join(User, User.id == Membership.user_id)
        .options(joinedload(Membership.user))
        .order_by(User.display_name, User.email)
    ).all()
    return render_template("studio/staff.html", members=members)
