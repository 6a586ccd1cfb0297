"""E-mail subscriptions with double opt-in, and the links in every message.

* Subscribing answers the same whatever the address's state, so the form never tells
  anyone whether an address is subscribed. Only the mailbox learns it: a pending
  address gets its confirmation again, a confirmed one a short "already subscribed"
  note, each at most once per SUBSCRIBE_RESEND_MINUTES.
* The confirmation link opens a page whose button confirms by POST: a mail scanner
  that follows links confirms nothing.
* Every subscription e-mail carries an unsubscribe link and `List-Unsubscribe` with
  `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058). Its token never
  expires and needs no session, so the mail provider's POST works on its own.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import mail
from ..extensions import db
from ..models import OutboxMessage, Subscriber, Tenant, utcnow
from ..privacy import versions
from ..urls import tenant_url


class LinkError(Exception):
    def __init__(self, reason: str) -> None:  # "expired" | "invalid"
        super().__init__(reason)
        self.reason = reason


def _confirm_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="subscribe-confirm")


def _unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="subscribe-unsubscribe")


def confirm_token(subscriber: Subscriber) -> str:
    return _confirm_serializer().dumps({"s": subscriber.id, "t": subscriber.tenant_id})


def unsubscribe_token(subscriber: Subscriber) -> str:
    return _unsubscribe_serializer().dumps({"s": subscriber.id, "t": subscriber.tenant_id})


def _check(data: Any) -> dict[str, int]:
    if not (isinstance(data, dict) and isinstance(data.get("s"), int)):
        raise LinkError("invalid")
    if not isinstance(data.get("t"), int):
        raise LinkError("invalid")
    return data


def read_confirm_token(token: str) -> dict[str, int]:
    try:
        data = _confirm_serializer().loads(
            token, max_age=current_app.config["SUBSCRIBE_LINK_MAX_AGE"]
        )
    except SignatureExpired as exc:
        raise LinkError("expired") from exc
    except BadSignature as exc:
        raise LinkError("invalid") from exc
    return _check(data)


def read_unsubscribe_token(token: str) -> dict[str, int]:
    try:
        return _check(_unsubscribe_serializer().loads(token))
    except BadSignature as exc:
        raise LinkError("invalid") from exc


def unsubscribe_url(tenant: Tenant, subscriber: Subscriber) -> str:
    return tenant_url(tenant, "engagement.unsubscribe", token=unsubscribe_token(subscriber))


def list_headers(url: str) -> dict[str, str]:
    """RFC 2369 + RFC 8058: the one-click unsubscribe a mail client offers."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _mail(tenant: Tenant, subscriber: Subscriber, kind: str, template: str, **context) -> None:
    url = unsubscribe_url(tenant, subscriber)
    mail.queue(
        tenant,
        kind,
        subscriber.email,
        template,
        headers=list_headers(url),
        unsubscribe_url=url,
        **context,
    )
    subscriber.last_mailed_at = utcnow()


def _may_mail(subscriber: Subscriber) -> bool:
    last = subscriber.last_mailed_at
    wait = timedelta(minutes=current_app.config["SUBSCRIBE_RESEND_MINUTES"])
    return last is None or utcnow() - last >= wait


def subscribe(tenant: Tenant, email: str) -> None:
    """Start (or restart) a subscription. The caller commits; the answer is always the same."""
    subscriber = db.session.scalars(
        select(Subscriber).where(Subscriber.tenant_id == tenant.id, Subscriber.email == email)
    ).first()
    if subscriber is None:
        try:
            with db.session.begin_nested():
                subscriber = Subscriber(
                    tenant_id=tenant.id,
                    email=email,
                    status="pending",
                    **versions.consent_fields(tenant, "subscribe"),
                )
                db.session.add(subscriber)
        except IntegrityError:  # the same address, a moment ago, in another request
            return
    if not _may_mail(subscriber):
        return
    if subscriber.status == "confirmed":
        _mail(tenant, subscriber, "subscribe-already", "subscribe_already")
        return
    subscriber.status = "pending"
    for name, value in versions.consent_fields(tenant, "subscribe").items():
        setattr(subscriber, name, value)  # a new sign-up agrees to today's notice
    url = tenant_url(tenant, "engagement.confirm", token=confirm_token(subscriber))
    _mail(tenant, subscriber, "subscribe-confirm", "subscribe_confirm", confirm_url=url)


def confirm(subscriber: Subscriber) -> bool:
    """pending -> confirmed, once (a conditional UPDATE); False if it was not pending."""
    result = db.session.execute(
        update(Subscriber)
        .where(Subscriber.id == subscriber.id, Subscriber.status == "pending")
        .values(status="confirmed", confirmed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(subscriber)
    return result.rowcount == 1


def unsubscribe(subscriber: Subscriber) -> bool:
    """-> unsubscribed; queued new-post e-mails to the address are withdrawn."""
    if subscriber.status == "unsubscribed":
        return False
    subscriber.status = "unsubscribed"
    subscriber.unsubscribed_at = utcnow()
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.tenant_id == subscriber.tenant_id,
            OutboxMessage.status == "queued",
            OutboxMessage.idempotency_key.like(f"new-post:%:{subscriber.id}"),
        )
        .values(status="withdrawn", last_error="unsubscribed before sending")
        .execution_options(synchronize_session=False)
    )
    return True
