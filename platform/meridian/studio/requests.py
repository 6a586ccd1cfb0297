"""Visitors' data requests (a copy, a correction, erasure): owners and the front desk.

Only requests confirmed from the visitor's own mailbox are here, each with the date
the law says it must be answered by. Opening one is audited (it shows what the visitor
wrote and what the clinic holds under their address); answering it is a POST with a
note, audited too. Nothing here ever reaches another clinic's requests.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from ..auth.access import role_required
from ..auth.audit import record
from ..extensions import db
from ..models import DataRequest, utcnow
from ..privacy import requests as data_requests
from ..privacy.requests import KIND_TEXT
from ..tenancy import current_tenant, get_for_tenant_or_404, tenant_select
from . import bp, nav

nav.add("Requests", "studio.requests", order=47)
ANSWERED_SHOWN = 50


class AnswerForm(FlaskForm):
    note = TextAreaField(
        "How you answered (kept with the request)",
        validators=[
            DataRequired(message="Please say how you answered: the log must show it."),
            Length(max=2000, message="Please keep this under 2,000 characters."),
        ],
    )


def _request_or_404(request_id: int) -> DataRequest:
    """A confirmed request of this clinic (unconfirmed ones do not exist here)."""
    row = get_for_tenant_or_404(DataRequest, id=request_id)
    if row.status == "unconfirmed":
        abort(404)
    return row


@bp.get("/requests")
@role_required("owner", "front_desk")
def requests():
    tenant = current_tenant()
    waiting = db.session.scalars(
        tenant_select(DataRequest, DataRequest.status == "open").order_by(
            DataRequest.due_on, DataRequest.id
        )
    ).all()
    answered = db.session.scalars(
        tenant_select(DataRequest, DataRequest.status == "answered")
        .order_by(DataRequest.answered_at.desc(), DataRequest.id.desc())
        .limit(ANSWERED_SHOWN)
    ).all()
    today = data_requests.local_day(tenant, utcnow())
    return render_template(
        "studio/requests.html", waiting=waiting, answered=answered, today=today, kinds=KIND_TEXT
    )


def _show(row: DataRequest, form: AnswerForm, status: int = 200):
    tenant = current_tenant()
    record(
        "privacy_request.view",
        actor=current_user._get_current_object(),
        target=f"data_request:{row.id}",
    )
    db.session.commit()
    return render_template(
        "studio/request.html",
        item=row,
        form=form,
        held=data_requests.held_about(tenant, row.email),
        kinds=KIND_TEXT,
        today=data_requests.local_day(tenant, utcnow()),
    ), status


@bp.get("/requests/<int:request_id>")
@role_required("owner", "front_desk")
def data_request(request_id: int):
    return _show(_request_or_404(request_id), AnswerForm())


@bp.post("/requests/<int:request_id>")
@role_required("owner", "front_desk")
def answer_request(request_id: int):
    row = _request_or_404(request_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _show(row, form, 422)
    user = current_user._get_current_object()
    if data_requests.answer(row, by=user.email, note=form.note.data):
        record(
            "privacy_request.answer",
            actor=user,
            target=f"data_request:{row.id}",
            kind=row.kind,
        )
        db.session.commit()
        flash("Marked as answered.", "success")
    else:
        flash("This request was already answered.", "success")
    return redirect(url_for("studio.requests"), 303)
