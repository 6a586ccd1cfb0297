"""Outgoing e-mail: one call, `queue(...)`, writes an outbox row; `outbox.py` delivers.

    from meridian import mail

    mail.queue(tenant, "password-reset", user.email, "password_reset",
               key=f"password-reset:{token_id}", reset_url=url)
    db.session.commit()   # the row is part of the caller's transaction

* **Templates** live in `templates/email/`. `<template>.txt` is required and defines
  two blocks: `{% block subject %}` (collapsed to one line, so no value can add a
  header) and `{% block body %}` (the plain text, always sent). `<template>.html`, if
  present, is sent as the HTML alternative (autoescaped). Both get `tenant`, `booking`
  and whatever keyword arguments you pass; the HTML also gets `look` (see `look()`):
  HTML e-mails extend `email/_layout.html`, the clinic's logo, colour and address.
* **Addresses** go through `address()`: the domain is IDNA-encoded
  (`jose@bücher.example` -> `jose@xn--bcher-kva.example`); a non-ASCII local part
  (`josé@…`, which needs SMTPUTF8) is refused with `AddressError`. Forms should use
  `address()` in their validator so the visitor is told, not the outbox.
* **Health data**: never pass the reason for visit (or anything clinical) to a mail
  template. E-mails say "your appointment"; the details stay in the studio.
* **Delivery**: nothing is sent from here. A worker runs `flask outbox send`; with
  `MAIL_DELIVER_INLINE` (development, `make run`) every request whose transaction
  committed a queued message delivers it right after the view returns.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app, has_app_context, render_template
from flask_sqlalchemy.session import Session as FlaskSQLASession
from jinja2 import TemplateNotFound
from sqlalchemy import event

from .content.brand import contrast, suggest
from .extensions import db
from .models import Booking, OutboxMessage, Tenant, utcnow

_PENDING = "meridian.mail_pending"  # session.info: a queued message was flushed
_COMMITTED = "meridian.mail_committed"  # ... and its transaction committed


class AddressError(ValueError):
    """The address cannot be used as a recipient; `str(error)` says why, for people."""


def address(raw: str) -> str:
    """The ASCII form of an e-mail address for an SMTP envelope and a `To` header.

    Lower-case, IDNA-encoded domain; the local part as typed. Raises AddressError for
    a malformed address or one whose local part needs SMTPUTF8 (non-ASCII), which
    many relays refuse: we say so at once rather than fail silently later.
    """
    try:
        result = validate_email(
            (raw or "").strip(),
            check_deliverability=False,
            allow_smtputf8=False,
            # Tests (TESTING) write to `@….test`, a reserved name refused otherwise.
            test_environment=has_app_context() and current_app.testing,
        )
    except EmailNotValidError as exc:
        raise AddressError(str(exc)) from exc
    return result.ascii_email


def render(template: str, **context: Any) -> tuple[str, str, str | None]:
    """(subject, text, html or None) rendered from `templates/email/<template>.*`."""
    blocks = _render_blocks(f"email/{template}.txt", context)
    # A subject is one line whatever the context held (no header injection).
    subject = " ".join(blocks.get("subject", "").split())
    if not subject or "body" not in blocks:
        raise ValueError(f"email/{template}.txt needs a subject and a body block")
    try:
        html: str | None = render_template(
            f"email/{template}.html", look=look(context.get("tenant")), **context
        )
    except TemplateNotFound:
        html = None
    return subject[:200], blocks["body"].strip("\n") + "\n", html


#: The dark-mode card colour of email/_layout.html (links there must read on it).
DARK_CARD = "#20262c"
#: Logo height in e-mails, in CSS pixels (the file itself may be twice that).
LOGO_HEIGHT = 44
RASTER = (".png", ".jpg", ".jpeg", ".gif")


def look(tenant: Tenant | None) -> dict[str, Any]:
    """The clinic's look for its HTML e-mails: brand colour (and a lighter one of the
    same hue that reads on dark mode's card), pale tints of it for the page and boxes,
    its logo as a PNG/JPEG (many mail clients show no SVG or WebP: an SVG logo is used
    through a `.png` of the same name beside it in the bundle, otherwise the name is
    set as a wordmark), its first address and phone, and the site's link."""
    from .urls import tenant_url

    primary = (tenant.brand_primary if tenant is not None else None) or "#1f4e5f"
    result: dict[str, Any] = {
        "primary": primary,
        "on_dark": primary if contrast(primary, DARK_CARD) >= 4.5 else suggest(primary, DARK_CARD),
        "page": _mix(primary, 0.05),
        "tint": _mix(primary, 0.06),
        "rule": _mix(primary, 0.2),
        "logo_url": None,
        "address": "",
        "phone": "",
        "site_url": "",
        "site_label": "",
    }
    if tenant is None:
        return result
    host = tenant.primary_host
    if host:
        result["site_url"] = tenant_url(tenant, "index")
        result["site_label"] = host
    location = tenant.primary_location
    if location is not None:
        result["address"] = ", ".join(location.address_lines)
        result["phone"] = location.phone or ""
    logo = _raster_logo(tenant)
    if logo is not None and host:
        name, width, height = logo
        result["logo_url"] = tenant_url(tenant, "site.brand_asset", filename=name)
        result["logo_height"] = LOGO_HEIGHT
        result["logo_width"] = round(width * LOGO_HEIGHT / height)
    return result


def _mix(colour: str, amount: float) -> str:
    """`colour` mixed with white: `amount` of it (0 to 1), the rest white."""
    channels = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(255 - (255 - c) * amount):02x}" for c in channels)


def _raster_logo(tenant: Tenant) -> tuple[str, int, int] | None:
    """(file name in the bundle's static/, width, height) of a logo mail clients show."""
    from .content.logo import bundle_file, image_size

    if not tenant.logo or tenant.logo.startswith("media/"):
        return None  # the media library keeps WebP copies, which Outlook does not show
    name = tenant.logo
    if not name.lower().endswith(RASTER):
        name = str(Path(name).with_suffix(".png"))
    path = bundle_file(tenant, name)
    size = image_size(path) if path is not None else None
    return (name, *size) if size else None


def _render_blocks(name: str, context: dict[str, Any]) -> dict[str, str]:
    """Each top-level `{% block %}` of a template rendered on its own."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    template = app.jinja_env.get_template(name)
    context = dict(context)
    app.update_template_context(context)
    jinja_context = template.new_context(context)
    return {name: "".join(block(jinja_context)) for name, block in template.blocks.items()}


#: Headers a caller may add: the list headers of subscription mail (RFC 2369, RFC 8058)
#: and a Reply-To (an address, checked like a recipient).
EXTRA_HEADERS = ("List-Unsubscribe", "List-Unsubscribe-Post", "Reply-To")


def _extra_headers(headers: dict[str, str]) -> dict[str, str]:
    extra = {}
    for name, value in headers.items():
        if name not in EXTRA_HEADERS:
            raise ValueError(f"mail.queue: header {name!r} is not allowed")
        if "\r" in value or "\n" in value:
            raise ValueError(f"mail.queue: header {name!r} must be one line")
        extra[name] = address(value) if name == "Reply-To" else value
    return extra


def queue(
    tenant: Tenant | None,
    kind: str,
    to: str,
    template: str,
    *,
    key: str | None = None,
    booking: Booking | None = None,
    ics: str | None = None,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> OutboxMessage:
    """Add one e-mail to the outbox, in the caller's transaction (the caller commits).

    tenant    the clinic the mail is from (its name is the From display name);
              None for mail from the platform itself (admin password resets)
    kind      a short label for `flask outbox status` ("confirmation", "password-reset")
    to        the recipient; normalised by `address()` (AddressError if unusable)
    template  name under templates/email/ without extension
    key       idempotency key, unique across the outbox: queueing the same key twice
              fails the transaction (default: `kind` plus a random id, never a dup)
    booking   the booking it is about (linked for the studio; `booking` in templates)
    ics       an iCalendar text to attach as appointment.ics
    headers   extra headers, only those in EXTRA_HEADERS (e.g. List-Unsubscribe)
    context   anything else the templates need
    """
    recipient = address(to)
    extra = _extra_headers(headers or {})
    subject, text, html = render(template, tenant=tenant, booking=booking, **context)
    message = OutboxMessage(
        tenant_id=tenant.id if tenant is not None else None,
        booking_id=booking.id if booking is not None else None,
        kind=kind,
        recipient=recipient,
        subject=subject,
        body_text=text,
        body_html=html,
        ics=ics,
        headers=extra or None,
        idempotency_key=key or f"{kind}:{uuid.uuid4().hex}",
        created_at=utcnow(),
    )
    db.session.add(message)
    return message


# Inline delivery (development): any commit that wrote an outbox row, not one view.


def _note_queued(session, flush_context) -> None:
    if any(isinstance(obj, OutboxMessage) for obj in session.new):
        session.info[_PENDING] = True


def _note_committed(session) -> None:
    if session.info.pop(_PENDING, False):
        session.info[_COMMITTED] = True


def _forget(session, previous_transaction) -> None:
    session.info.pop(_PENDING, None)


def _deliver_inline(response):
    if current_app.config.get("MAIL_DELIVER_INLINE") and db.session.info.pop(_COMMITTED, False):
        from .outbox import send_due

        send_due()
    return response


def init_app(app: Flask) -> None:
    for name, listener in (
        ("after_flush", _note_queued),
        ("after_commit", _note_committed),
        ("after_soft_rollback", _forget),
    ):
        if not event.contains(FlaskSQLASession, name, listener):
            event.listen(FlaskSQLASession, name, listener)
    app.after_request(_deliver_inline)
