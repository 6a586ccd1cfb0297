"""Subscribe (a page and a form on posts), confirm by POST, unsubscribe (link or one click)."""

from __future__ import annotations

from flask import redirect, request, url_for

from ...extensions import db
from ...models import Subscriber
from ...tenancy import current_tenant, tenant_select
from .. import guard, subscriptions
from ..forms import SubscribeForm
from . import bp, own_site_only, page

NOTICES = {
    "check": "Almost there: please check your address and press “Subscribe” again.",
    "limited": "Too many sign-ups from your network just now. Please try again in a few minutes.",
    "invalid": "Please correct the address below.",
}


def _form_page(form: SubscribeForm, status: int = 200, notice: str | None = None):
    form.stamp.data = guard.make_stamp("subscribe")
    return page("subscribe.html", status, subscribe_form=form, notice=NOTICES.get(notice or ""))


@bp.route("/subscribe", methods=["GET", "POST"])
def subscribe():
    if request.method == "GET":
        return _form_page(SubscribeForm())
    refused = own_site_only()
    if refused is not None:
        return refused
    form = SubscribeForm(request.form)
    if not guard.within_limits(
        ("SUBSCRIBE_RATE_LIMIT", f"ip:{guard.client_key()}"),
    ):
        return _form_page(form, 429, "limited")
    if form.is_bot:
        return redirect(url_for(".subscribe_sent"), 303)
    if not form.validate():
        return _form_page(form, 422, "invalid")
    if not guard.stamp_ok(form.stamp.data, "subscribe"):
        return _form_page(form, 200, "check")
    subscriptions.subscribe(current_tenant(), form.email.data)
    db.session.commit()
    return redirect(url_for(".subscribe_sent"), 303)


@bp.get("/subscribe/sent")
def subscribe_sent():
    return page("subscribe_sent.html")


def _subscriber(data: dict[str, int]) -> Subscriber | None:
    """The link's subscriber on this clinic; None if gone (or another clinic's link)."""
    if data["t"] != current_tenant().id:
        return None
    return db.session.scalars(tenant_select(Subscriber, Subscriber.id == data["s"])).first()


@bp.route("/subscribe/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """The e-mail's link shows a button; only the button's POST confirms."""
    try:
        data = subscriptions.read_confirm_token(token)
    except subscriptions.LinkError as exc:
        return page("link_problem.html", 400, reason=exc.reason, action="confirm")
    subscriber = _subscriber(data)
    if subscriber is None or subscriber.status == "unsubscribed":
        return page("link_problem.html", 404, reason="gone", action="confirm")
    if subscriber.status == "confirmed":
        return page("confirmed.html", already=True, subscriber=subscriber)
    if request.method == "GET":
        return page("confirm.html", subscriber=subscriber, token=token)
    done = subscriptions.confirm(subscriber)
    db.session.commit()
    return page("confirmed.html", already=not done, subscriber=subscriber)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """GET shows a button; a POST (that button, or a mail client's RFC 8058 one-click
    POST of `List-Unsubscribe=One-Click`, with no cookie or session) unsubscribes."""
    try:
        data = subscriptions.read_unsubscribe_token(token)
    except subscriptions.LinkError as exc:
        return page("link_problem.html", 400, reason=exc.reason, action="unsubscribe")
    subscriber = _subscriber(data)
    if subscriber is None:
        return page("unsubscribed.html", subscriber=None)
    if request.method == "GET":
        if subscriber.status == "unsubscribed":
            return page("unsubscribed.html", subscriber=subscriber, already=True)
        return page("unsubscribe.html", subscriber=subscriber, token=token)
    changed = subscriptions.unsubscribe(subscriber)
    db.session.commit()
    return page("unsubscribed.html", subscriber=subscriber, already=not changed)
