"""POST the contact form (on the contact page); the message lands in the studio inbox."""

from __future__ import annotations

from flask import redirect, request, url_for

from ...extensions import db
from ...site.views import render_contact
from ...tenancy import current_tenant
from .. import contact as inbox
from .. import guard
from ..forms import ContactForm
from . import bp, own_site_only, page

NOTICES = {
    "check": "Almost there: please check your message and press “Send message” again.",
    "limited": (
        "You have sent several messages in a short time. Please wait a few minutes, "
        "then send this one again: your text is kept below."
    ),
    "invalid": "Your message was not sent yet. Please correct the marked fields below.",
}


def _again(form: ContactForm, status: int, notice: str):
    form.stamp.data = guard.make_stamp("contact")
    return render_contact(contact_form=form, contact_notice=NOTICES[notice]), status


@bp.post("/message")
def message():
    refused = own_site_only()
    if refused is not None:
        return refused
    form = ContactForm(request.form)
    if not guard.within_limits(("CONTACT_RATE_LIMIT", f"ip:{guard.client_key()}")):
        return _again(form, 429, "limited")
    if form.is_bot:
        return redirect(url_for(".message_sent"), 303)
    if not form.validate():
        return _again(form, 422, "invalid")
    if not guard.stamp_ok(form.stamp.data, "contact"):
        return _again(form, 200, "check")
    inbox.receive(
        current_tenant(),
        name=form.name.data,
        email=form.email.data,
        phone=form.phone.data or "",
        body=form.body.data,
    )
    db.session.commit()
    return redirect(url_for(".message_sent"), 303)


@bp.get("/message/sent")
def message_sent():
    return page("message_sent.html")
