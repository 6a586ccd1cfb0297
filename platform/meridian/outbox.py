"""Deliver queued e-mails: claim a row atomically, send it, record the outcome.

Only delivery lives here; messages are written by `mail.queue` (see meridian/mail.py).

A row is claimed with one conditional UPDATE (queued and due, or a `sending` row whose
lease ran out because a worker died), so two workers never send the same row. Failures
retry with exponential backoff and become `failed` after MAIL_MAX_ATTEMPTS. The
Message-ID is derived from the idempotency key, so a resend after a crash between
"accepted" and "marked sent" is recognisable as the same message.
"""

from __future__ import annotations

import hashlib
import smtplib
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import or_, select, update

from .extensions import db
from .mail import AddressError, address
from .models import OutboxMessage, Tenant, utcnow

LEASE = timedelta(minutes=5)


def build_email(message: OutboxMessage, tenant_name: str) -> EmailMessage:
    """The MIME message for an outbox row: plain text, the HTML alternative if any, and
    the .ics. Addresses are ASCII (`mail.address`), so no encoded-word ever lands
    inside an address; the clinic's name is encoded as a display name."""
    email = EmailMessage()
    email["From"] = Address(display_name=tenant_name, addr_spec=current_app.config["MAIL_FROM"])
    email["To"] = Address(addr_spec=address(message.recipient))
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:32]
    email["Message-ID"] = f"<{digest}@meridian>"
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    if message.ics:
        email.add_attachment(
            message.ics.encode("utf-8"),
            maintype="text",
            subtype="calendar",
            filename="appointment.ics",
            params={"method": "PUBLISH" if "METHOD:PUBLISH" in message.ics else "CANCEL"},
        )
    return email


def _send_smtp(email: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def _send_file(email: EmailMessage, message: OutboxMessage) -> None:
    folder = Path(current_app.instance_path) / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{message.created_at:%Y%m%d-%H%M%S}-{message.id}-{message.kind}.eml"
    (folder / name).write_bytes(bytes(email))


def mail_folder() -> Path:
    return Path(current_app.instance_path) / "mail"


def _claim(message_id: int, now: datetime) -> bool:
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            or_(
                (OutboxMessage.status == "queued") & (OutboxMessage.next_attempt_at <= now),
                (OutboxMessage.status == "sending") & (OutboxMessage.claimed_until < now),
            ),
        )
        .values(
            status="sending",
            claimed_until=now + LEASE,
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def send_due(limit: int = 100, now: datetime | None = None) -> dict[str, int]:
    """Send every due message once; returns counts of sent / retry / failed."""
    now = now or utcnow()
    config = current_app.config
    counts = {"sent": 0, "retry": 0, "failed": 0}
    due = db.session.scalars(
        select(OutboxMessage.id)
        .where(
            or_(
                (OutboxMessage.status == "queued") & (OutboxMessage.next_attempt_at <= now),
                (OutboxMessage.status == "sending") & (OutboxMessage.claimed_until < now),
            )
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .execution_options(all_tenants=True)
    ).all()
    for message_id in due:
        if not _claim(message_id, now):
            continue  # another worker has it
        message = db.session.get(OutboxMessage, message_id)
        tenant = db.session.get(Tenant, message.tenant_id)
        try:
            email = build_email(message, tenant.name)
            if config["MAIL_BACKEND"] == "file":
                _send_file(email, message)
            else:
                _send_smtp(email)
        except (smtplib.SMTPException, OSError, AddressError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
            permanent = isinstance(exc, AddressError)  # retrying will not fix the address
            if permanent or message.attempts >= int(config["MAIL_MAX_ATTEMPTS"]):
                message.status = "failed"
                counts["failed"] += 1
            else:
                delay = int(config["MAIL_RETRY_SECONDS"]) * 2 ** (message.attempts - 1)
                message.status = "queued"
                message.next_attempt_at = now + timedelta(seconds=delay)
                counts["retry"] += 1
            message.last_error = error
            current_app.logger.warning(
                "outbox %s: attempt %s failed: %s", message.id, message.attempts, error
            )
        else:
            message.status = "sent"
            message.sent_at = utcnow()
            message.last_error = ""
            counts["sent"] += 1
        message.claimed_until = None
        db.session.commit()
    return counts
