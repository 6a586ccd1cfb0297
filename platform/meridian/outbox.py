"""Deliver queued e-mails: claim a row atomically, send it, record the outcome.

Only delivery lives here; messages are written by `mail.queue` (see meridian/mail.py).

Rows are claimed in small batches (`claim_due`: `FOR UPDATE SKIP LOCKED` on PostgreSQL,
then an UPDATE that re-checks each row is due: queued and due, or a `sending` row whose
lease (MAIL_LEASE_SECONDS) ran out because a worker died), so workers running at once
never send the same row. Failures
retry with exponential backoff and become `failed` after MAIL_MAX_ATTEMPTS. The
Message-ID is derived from the idempotency key, so a resend after a crash between
"accepted" and "marked sent" is recognisable as the same message.
"""

from __future__ import annotations

import hashlib
import re
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


def build_email(
    message: OutboxMessage, tenant_name: str, sender: str | None = None
) -> EmailMessage:
    """The MIME message for an outbox row: plain text, the HTML alternative if any, and
    the .ics. Addresses are ASCII (`mail.address`), so no encoded-word ever lands
    inside an address; the clinic's name is encoded as a display name."""
    email = EmailMessage()
    # The clinic's own From address if it has one (tenant.mail_from), else the platform's.
    sender = address(sender) if sender else current_app.config["MAIL_FROM"]
    email["From"] = Address(display_name=tenant_name, addr_spec=sender)
    email["To"] = Address(addr_spec=address(message.recipient))
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:32]
    email["Message-ID"] = f"<{digest}@meridian>"
    for name, value in (message.headers or {}).items():
        email[name] = Address(addr_spec=address(value)) if name == "Reply-To" else value
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    if message.ics:
        email.add_attachment(
            message.ics.encode("utf-8"),
            maintype="text",
            subtype="calendar",
            filename="appointment.ics",
            params={"method": _ics_method(message.ics)},
        )
    return email


def _ics_method(ics: str) -> str:
    match = re.search(r"^METHOD:([A-Z]+)\r?$", ics, re.MULTILINE)
    return match.group(1) if match else "PUBLISH"


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
            _due(now),
        )
        .values(
            status="sending",
            claimed_until=now + timedelta(seconds=int(current_app.config["MAIL_LEASE_SECONDS"])),
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _due(now: datetime):
    # A suspended clinic's e-mails are held (kept queued) until it is resumed; the
    # platform's own mail (no clinic: admin password resets) always goes.
    live = OutboxMessage.tenant_id.is_(None) | OutboxMessage.tenant_id.in_(
        select(Tenant.id).where(Tenant.status == "active")
    )
    return live & or_(
        (OutboxMessage.status == "queued") & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == "sending") & (OutboxMessage.claimed_until < now),
    )


def claim_due(limit: int, now: datetime) -> list[int]:
    """Claim up to `limit` due rows in one transaction and return their ids.

    On PostgreSQL the rows are locked with `FOR UPDATE SKIP LOCKED`, so two workers
    claiming at once take different rows without waiting for each other; the UPDATE
    re-checks that each row is still due and RETURNING names the rows this worker won
    (on SQLite, whose writers take turns, that re-check alone keeps claims apart).
    """
    lease = timedelta(seconds=int(current_app.config["MAIL_LEASE_SECONDS"]))
    candidates = db.session.scalars(
        select(OutboxMessage.id)
        .where(_due(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .execution_options(all_tenants=True)
    ).all()
    claimed: list[int] = []
    if candidates:
        claimed = sorted(
            db.session.scalars(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(candidates), _due(now))
                .values(
                    status="sending",
                    claimed_until=now + lease,
                    attempts=OutboxMessage.attempts + 1,
                )
                .returning(OutboxMessage.id)
                .execution_options(synchronize_session=False, all_tenants=True)
            ).all()
        )
    db.session.commit()
    return claimed


def send_due(limit: int = 100, now: datetime | None = None) -> dict[str, int]:
    """Send every due message once; returns counts of sent / retry / failed.

    Rows are claimed ten at a time, so a worker that dies holds few rows for the lease.
    """
    now = now or utcnow()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    while limit > 0:
        claimed = claim_due(min(limit, 10), now)
        if not claimed:
            break
        limit -= len(claimed)
        for message_id in claimed:
            _deliver(message_id, now, counts)
    return counts


def _deliver(message_id: int, now: datetime, counts: dict[str, int]) -> None:
    config = current_app.config
    message = db.session.get(OutboxMessage, message_id)
    if message is None:  # erased (a client, a clinic) after it was claimed: nothing to send
        counts["gone"] = counts.get("gone", 0) + 1
        return
    tenant = db.session.get(Tenant, message.tenant_id) if message.tenant_id else None
    try:
        if tenant is not None:
            email = build_email(message, tenant.name, tenant.mail_from or None)
        else:  # mail from the platform itself (admin password resets)
            email = build_email(message, "Meridian")
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
