"""A clinic's bookings, for a platform admin, only with a reason, every time.

Support sometimes needs to see a clinic's appointments ("the client says they booked").
The list is shown only in answer to a form that says why; each opening is in the audit
log under the clinic (who, when, from where, the reason), so the clinic's owner sees it
on their audit page. Nothing is remembered: the next look needs a reason again. The
reason for the visit (health data) is never shown here.
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from ..auth import audit
from ..auth.access import platform_admin_required
from ..extensions import db
from ..models import Booking, Tenant, User, utcnow
from . import bp

SHOWN = 200


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        "Why do you need to see this clinic's bookings?",
        validators=[
            DataRequired("Say why: it is recorded, and the clinic's owner sees it."),
            Length(min=10, max=500, message="Between 10 and 500 characters, please."),
        ],
    )


def _tenant(tenant_id: int) -> Tenant:
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        abort(404)
    return tenant


@bp.get("/clinics/<int:tenant_id>/bookings")
@platform_admin_required
def bookings_ask(tenant_id: int):
    return render_template("admin/bookings.html", tenant=_tenant(tenant_id), form=ReasonForm())


@bp.post("/clinics/<int:tenant_id>/bookings")
@platform_admin_required
def bookings_open(tenant_id: int):
    tenant = _tenant(tenant_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return render_template("admin/bookings.html", tenant=tenant, form=form), 422
    since = utcnow() - timedelta(days=7)
    rows = db.session.scalars(
        select(Booking)
        .where(Booking.tenant_id == tenant.id, Booking.starts_at >= since)
        .options(
            joinedload(Booking.service),
            joinedload(Booking.location),
            joinedload(Booking.practitioner),
        )
        .order_by(Booking.starts_at)
        .limit(SHOWN)
    ).all()
    audit.record(
        "admin.bookings_viewed",
        actor=db.session.get(User, current_user.id),
        target=tenant.slug,
        tenant=tenant,
        reason=form.reason.data.strip(),
        shown=len(rows),
    )
    db.session.commit()
    page = render_template(
        "admin/bookings.html", tenant=tenant, form=None, bookings=rows, limit=SHOWN
    )
    return page, 200, {"Referrer-Policy": "no-referrer"}
