"""/privacy/request: a visitor asks for a copy, a correction or erasure of their data.

Cookie-free like the readers' forms (engagement/guard.py: same-site check, rate limit,
honeypot, minimum fill time from a signed stamp), and never cached. The page itself is
rendered per request (it is no reading page), so its stamp is in it: no script needed.
The confirmation link from the e-mail shows a button; only its POST confirms.
"""

from __future__ import annotations

from flask import (
    Response,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from ..engagement import guard
from ..extensions import db
from ..models import DataRequest
from ..tenancy import current_tenant
from . import requests as data_requests
from .forms import DataRequestForm
from .wording import wording

bp = guard.reader_blueprint("privacy", __name__)

FORM = "request"
NOTICES = {
    "check": "Almost there: please check your request and press “Send request” again.",
    "limited": "You have sent several requests in a short time. Please wait a few minutes, "
    "then send this one again: what you wrote is kept below.",
    "invalid": "Your request was not sent yet. Please correct the marked fields below.",
}


def _page(template: str, status: int = 200, **context: object) -> Response:
    return make_response(render_template(f"privacy/{template}", **context), status)


def _form_page(form: DataRequestForm, status: int = 200, notice: str | None = None) -> Response:
    form.stamp.data = guard.make_stamp(FORM)
    return _page(
        "request.html",
        status,
        form=form,
        notice=NOTICES.get(notice or ""),
        consent=wording(FORM, current_tenant()),
    )


@bp.route("/privacy/request", methods=["GET", "POST"])
def request_form():
    if request.method == "GET":
        return _form_page(DataRequestForm())
    if not guard.from_own_site():
        return _page("refused.html", 403)
    form = DataRequestForm(request.form)
    if not guard.within_limits(("PRIVACY_REQUEST_RATE_LIMIT", f"ip:{guard.client_key()}")):
        return _form_page(form, 429, "limited")
    if form.is_bot:
        return redirect(url_for(".request_sent"), 303)
    if not form.validate():
        return _form_page(form, 422, "invalid")
    if not guard.stamp_ok(form.stamp.data, FORM):
        return _form_page(form, 200, "check")
    data_requests.ask(
        current_tenant(),
        kind=form.kind.data,
        name=form.name.data,
        email=form.email.data,
        details=form.details.data or "",
    )
    db.session.commit()
    return redirect(url_for(".request_sent"), 303)


@bp.get("/privacy/request/sent")
def request_sent():
    return _page("request_sent.html")


@bp.route("/privacy/request/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """The e-mail's link shows a button; only the button's POST confirms."""
    try:
        data = data_requests.read_token(token)
    except data_requests.LinkError as exc:
        return _page("link_problem.html", 400, reason=exc.reason)
    tenant = current_tenant()
    row = None
    if data["t"] == tenant.id:
        row = db.session.scalars(
            select(DataRequest).where(
                DataRequest.tenant_id == tenant.id, DataRequest.id == data["r"]
            )
        ).first()
    if row is None:
        return _page("link_problem.html", 404, reason="gone")
    if row.status != "unconfirmed":
        return _page("confirmed.html", request_row=row, already=True)
    if request.method == "GET":
        return _page("confirm.html", request_row=row, token=token)
    if not guard.from_own_site():
        return _page("refused.html", 403)
    data_requests.confirm(tenant, row)
    db.session.commit()
    return _page("confirmed.html", request_row=row, already=False)
