"""Visitors' data requests (a copy, a correction, erasure): owners and the front desk.

Only requests confirmed from the visitor's own mailbox are here, each with the date
the law says it must be answered by. Opening one is audited (it shows what the visitor
wrote and what the clinic holds under their address); answering it is a POST with a
note, audited too. Nothing here ever reaches another clinic's requests.

Who may do what (least privilege for health data):
* a copy: the front desk and owners download everything held under the confirmed
  address (`privacy.subject.export`), while the request is open; owners at any time;
* erasure: owners only, from an erasure request, after ticking a confirmation;
* the desk's general client export and erase (studio/clients.py) stay owner-only.
Each export and erasure is audited with what it covered.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..auth.access import may, role_required
from ..auth.audit import record
from ..auth.forms import EmptyForm
from ..extensions import db
from ..models import DataRequest, utcnow
from ..privacy import requests as data_requests
from ..privacy import subject
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


class EraseForm(FlaskForm):
    confirm = BooleanField(
        "Yes, erase everything held under this address for good",
        validators=[DataRequired("Please tick the box to confirm.")],
    )


def may_export(row: DataRequest) -> bool:
    """Owners always; the front desk for an open request for a copy."""
    return may("owner") or (row.kind == "copy" and row.status == "open")


def may_erase(row: DataRequest) -> bool:
    return row.kind == "erase" and may("owner")


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


def _show(row: DataRequest, form: AnswerForm, status: int = 200, erase_form=None):
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
        held=subject.gather(tenant, row.email),
        kinds=KIND_TEXT,
        today=data_requests.local_day(tenant, utcnow()),
        may_export=may_export(row),
        may_erase=may_erase(row),
        erase_form=erase_form or EraseForm(),
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


@bp.post("/requests/<int:request_id>/export")
@role_required("owner", "front_desk")
def request_export(request_id: int):
    """Everything held under the confirmed address, as a ZIP (no copy kept here)."""
    row = _request_or_404(request_id)
    if not may_export(row):
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    tenant = current_tenant()
    held = subject.gather(tenant, row.email)
    data = subject.export(tenant, row, held)
    record(
        "privacy_request.export",
        actor=current_user._get_current_object(),
        target=f"data_request:{row.id}",
        **held.counts,
    )
    db.session.commit()
    return Response(
        data,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="request-{row.id}.zip"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.post("/requests/<int:request_id>/erase")
@role_required("owner")
def request_erase(request_id: int):
    row = _request_or_404(request_id)
    if not may_erase(row):
        abort(403)
    form = EraseForm()
    if not form.validate_on_submit():
        return _show(row, AnswerForm(formdata=None), 422, erase_form=form)
    tenant = current_tenant()
    counts = subject.erase(tenant, subject.gather(tenant, row.email))
    record(
        "privacy_request.erase",
        actor=current_user._get_current_object(),
        target=f"data_request:{row.id}",
        **counts,
    )
    db.session.commit()
    flash(
        f"Erased: {counts['bookings']} booking(s) keep only their time, service and "
        f"practitioner; {counts['emails']} e-mail(s), {counts['messages']} message(s), "
        f"{counts['comments']} comment(s) and {counts['subscriptions']} subscription(s) "
        "deleted. Say so in your answer below.",
        "success",
    )
    return redirect(url_for("studio.data_request", request_id=row.id), 303)
