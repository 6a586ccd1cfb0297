"""Versions of a clinic's privacy notice, and the record of what a person agreed to.

* The owner writes their own words in a draft and publishes it: a new version.
* Saving new retention periods publishes a new version too (the notice states them).
* A clinic gets version 1 (Meridian's notice as it stands) when the bundle loader
  writes it (`tenants load`, onboarding); a clinic made before that existed gets it the
  first time someone sends a form, in that same transaction.

Each version keeps `snapshot_html`, the notice exactly as it read, for good.
`consent_fields(tenant, form)` is what every write path adds to its record.
"""

from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..markdown import render_markdown
from ..models import PrivacyNotice, Tenant, utcnow
from . import notice as notices
from .wording import wording

latest = notices.latest


def published(tenant: Tenant) -> list[PrivacyNotice]:
    return list(
        db.session.scalars(
            select(PrivacyNotice)
            .where(PrivacyNotice.tenant_id == tenant.id, PrivacyNotice.number.is_not(None))
            .order_by(PrivacyNotice.number.desc())
        )
    )


def draft(tenant: Tenant) -> PrivacyNotice | None:
    return db.session.scalars(
        select(PrivacyNotice)
        .where(PrivacyNotice.tenant_id == tenant.id, PrivacyNotice.number.is_(None))
        .order_by(PrivacyNotice.id)
        .limit(1)
    ).first()


def save_draft(tenant: Tenant, text: str) -> PrivacyNotice:
    """Keep the owner's words unpublished (the caller commits)."""
    row = draft(tenant)
    if row is None:
        row = PrivacyNotice(tenant_id=tenant.id)
        db.session.add(row)
    row.owner_text = text
    row.owner_html = render_markdown(text) if text.strip() else ""
    return row


def snapshot(tenant: Tenant, version: PrivacyNotice) -> str:
    """The notice's text as visitors read it under `version` (no page around it)."""
    return render_template(
        "site/_privacy_notice.html", notice=notices.build(tenant, version=version)
    )


def publish(tenant: Tenant, *, reason: str, by: str = "", from_draft: bool = False):
    """A new version in force from now, with the settings as they are and the owner's
    words: the draft's (`from_draft`, which it then becomes) or the version in force's
    (a new row; the draft stays a draft). The caller commits."""
    row = draft(tenant) if from_draft else None
    if row is None:
        current = latest(tenant)
        row = PrivacyNotice(tenant_id=tenant.id)
        if current is not None:
            row.owner_text, row.owner_html = current.owner_text, current.owner_html
        db.session.add(row)
    highest = db.session.scalar(
        select(func.max(PrivacyNotice.number)).where(PrivacyNotice.tenant_id == tenant.id)
    )
    row.number = (highest or 0) + 1
    row.published_at = utcnow()
    row.published_by = by[:254]
    row.reason = reason
    row.snapshot_html = snapshot(tenant, row)
    db.session.flush()
    return row


def in_force(tenant: Tenant) -> PrivacyNotice:
    """The version in force; version 1 (Meridian's notice as it stands) if the clinic
    has none yet, written in the caller's transaction. Two first visitors at once: one
    writes it, the other reads it."""
    current = latest(tenant)
    if current is not None:
        return current
    # Render (reads only) before the savepoint, so its INSERT is the transaction's first
    # statement: SQLite then waits for a concurrent writer instead of failing to
    # upgrade a read snapshot ("database is locked").
    first = PrivacyNotice(tenant_id=tenant.id, number=1, published_at=utcnow(), reason="first")
    first.snapshot_html = snapshot(tenant, first)
    try:
        with db.session.begin_nested():
            db.session.add(first)
        return first
    except IntegrityError:
        current = latest(tenant)
        if current is None:  # pragma: no cover  (the other writer rolled back)
            raise
        return current


def consent_fields(tenant: Tenant, form: str) -> dict[str, object]:
    """What a record made through `form` stores: the version and the words agreed to."""
    return {"privacy_notice_id": in_force(tenant).id, "consent_text": wording(form, tenant)}
