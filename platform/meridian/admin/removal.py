"""Exporting and deleting a whole clinic: the rules, apart from the console's views.

A clinic may be deleted only when it was exported in the last EXPORT_FRESH (the export
is the audit event `clinic.exported`, so its time is on record) and the admin types its
name. Deleting removes every row of every tenant-owned table (found from the metadata:
a table added tomorrow is covered), the clinic itself, the staff accounts that belonged
to no other clinic, and afterwards its photos in media storage and the file mail
backend's copies of its e-mails; its domains are free at once. The caller records the
platform-level audit event and commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update

from ..extensions import db
from ..media.storage import storage
from ..models import (
    AuditEvent,
    Booking,
    MediaItem,
    Membership,
    OutboxMessage,
    Post,
    Subscriber,
    Tenant,
    User,
    utcnow,
)
from ..outbox import mail_folder

EXPORT_FRESH = timedelta(hours=24)
EXPORTED = "clinic.exported"


@dataclass
class Removed:
    rows: dict[str, int] = field(default_factory=dict)
    accounts: int = 0
    hostnames: list[str] = field(default_factory=list)
    media_keys: list[str] = field(default_factory=list)
    #: (id, kind) of the clinic's e-mails, whose copies the file backend may have kept
    emails: list[tuple[int, str]] = field(default_factory=list)


def last_export(tenant: Tenant) -> AuditEvent | None:
    return db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.tenant_id == tenant.id, AuditEvent.action == EXPORTED)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).first()


def fresh_export(tenant: Tenant, now: datetime | None = None) -> AuditEvent | None:
    """The export that allows deleting the clinic now, if there is one."""
    event = last_export(tenant)
    if event is None or event.created_at < (now or utcnow()) - EXPORT_FRESH:
        return None
    return event


def changed_since(tenant: Tenant, when: datetime) -> int:
    """Bookings made or cancelled, posts saved and subscribers added after `when` (the
    export): what a deletion now would lose without its ever having been exported."""
    checks = (
        (Booking, (Booking.created_at > when) | (Booking.cancelled_at > when)),
        (Post, Post.updated_at > when),
        (Subscriber, Subscriber.created_at > when),
    )
    return sum(
        db.session.scalar(
            select(func.count()).select_from(model).where(model.tenant_id == tenant.id, after)
        )
        for model, after in checks
    )


def tenant_tables():
    """Every table holding clinic-owned rows, children before parents."""
    return [t for t in reversed(db.metadata.sorted_tables) if "tenant_id" in t.c]


def delete_clinic(tenant: Tenant) -> Removed:
    """Delete the clinic's rows (one transaction, the caller's). Media files are
    removed by `remove_media` after the commit, so a failed commit loses no photo."""
    tenant_id = tenant.id
    done = Removed(hostnames=[d.hostname for d in tenant.domains])
    for item in db.session.scalars(select(MediaItem).where(MediaItem.tenant_id == tenant_id)):
        done.media_keys += item.storage_keys()
    done.emails = [
        (row.id, row.kind)
        for row in db.session.execute(
            select(OutboxMessage.id, OutboxMessage.kind).where(OutboxMessage.tenant_id == tenant_id)
        )
    ]
    staff = set(
        db.session.scalars(select(Membership.user_id).where(Membership.tenant_id == tenant_id))
    )
    elsewhere = set(
        db.session.scalars(
            select(Membership.user_id).where(
                Membership.user_id.in_(staff), Membership.tenant_id != tenant_id
            )
        )
    )
    db.session.execute(update(Tenant).where(Tenant.id == tenant_id).values(hero_media_id=None))
    for table in tenant_tables():
        result = db.session.execute(delete(table).where(table.c.tenant_id == tenant_id))
        if result.rowcount:
            done.rows[table.name] = result.rowcount
    db.session.execute(delete(Tenant.__table__).where(Tenant.__table__.c.id == tenant_id))
    # Accounts that were this clinic's staff only (never platform admins): their second
    # factors go with them (ON DELETE CASCADE); audit events keep the e-mail they had.
    alone = staff - elsewhere
    if alone:
        done.accounts = db.session.execute(
            delete(User).where(User.id.in_(alone), User.is_platform_admin.is_(False))
        ).rowcount
    return done


def remove_files(done: Removed) -> int:
    """Delete the clinic's stored photo copies and the .eml copies of its e-mails (the
    file mail backend's, in development); the number of photo files removed. A failure
    is logged, never raised: the rows are gone already."""
    backend, removed = storage(), 0
    for key in done.media_keys:
        try:
            backend.delete(key)
            removed += 1
        except Exception:  # noqa: BLE001
            current_app.logger.warning("clinic deletion: could not remove %s", key, exc_info=True)
    folder = mail_folder()
    if folder.is_dir():
        for message_id, kind in done.emails:
            for path in folder.glob(f"*-{message_id}-{kind}.eml"):
                path.unlink(missing_ok=True)
    return removed


def remaining_rows(tenant_id: int) -> dict[str, int]:
    """Rows still held for a clinic id, per table (empty once it is deleted)."""
    left = {}
    for table in tenant_tables():
        count = db.session.execute(
            select(func.count()).select_from(table).where(table.c.tenant_id == tenant_id)
        ).scalar_one()
        if count:
            left[table.name] = count
    return left
