"""Comments: taking one from a reader, moderating, and telling the clinic.

The studio's moderation pages and the public form both go through these functions;
they never commit (the caller does, once, so a change and its audit entry or e-mail
land together).
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import mail
from ..extensions import db
from ..models import Comment, Post, Tenant, utcnow
from ..privacy import versions
from ..tenancy import tenant_select
from ..urls import origin_for


def _returning_commenter(tenant: Tenant, email: str) -> bool:
    """Has a comment from this address been approved before (this clinic only)?"""
    return (
        db.session.scalar(
            tenant_select(
                Comment,
                Comment.author_email == email,
                Comment.status == "approved",
                Comment.by_clinic.is_(False),
            )
            .with_only_columns(Comment.id)
            .limit(1)
        )
        is not None
    )


def add_comment(tenant: Tenant, post: Post, *, name: str, email: str, body: str) -> Comment:
    """A reader's comment: held, unless the clinic holds only first comments and this
    address has had one approved."""
    now = utcnow()
    approved = tenant.comment_policy == "hold_first" and _returning_commenter(tenant, email)
    comment = Comment(
        tenant_id=tenant.id,
        post_id=post.id,
        author_name=name,
        author_email=email,
        body=body,
        status="approved" if approved else "held",
        approved_at=now if approved else None,
        created_at=now,
        **versions.consent_fields(tenant, "comment"),
    )
    db.session.add(comment)
    db.session.flush()
    if not approved:
        queue_digest(tenant, now)
    return comment


def set_status(comments: list[Comment], status: str) -> int:
    """Approve, hold or mark as spam; returns how many changed. The clinic's replies
    follow their comment: shown with it, hidden with it (so no count ever includes a
    reply to a comment nobody can see)."""
    assert status in ("approved", "held", "spam")
    now = utcnow()
    changed = [comment for comment in comments if comment.status != status]
    for comment in changed:
        comment.status = status
        comment.approved_at = now if status == "approved" else None
    replies = [comment.id for comment in changed if comment.parent_id is None]
    if replies:
        for answer in db.session.scalars(
            select(Comment).where(
                Comment.parent_id.in_(replies),
                Comment.tenant_id == changed[0].tenant_id,
                Comment.by_clinic.is_(True),
            )
        ):
            answer.status = "approved" if status == "approved" else "held"
            answer.approved_at = now if status == "approved" else None
    return len(changed)


def delete(comments: list[Comment]) -> int:
    for comment in comments:
        db.session.delete(comment)
    return len(comments)


def reply(tenant: Tenant, parent: Comment, body: str) -> Comment:
    """The clinic's reply, published at once under the comment (which it approves)."""
    if parent.parent_id is not None:  # answer the thread, one level deep
        parent = db.session.get(Comment, parent.parent_id) or parent
    set_status([parent], "approved")
    now = utcnow()
    answer = Comment(
        tenant_id=tenant.id,
        post_id=parent.post_id,
        parent_id=parent.id,
        author_name=tenant.name,
        author_email="",
        body=body,
        status="approved",
        by_clinic=True,
        created_at=now,
        approved_at=now,
    )
    db.session.add(answer)
    return answer


def held_count(tenant: Tenant) -> int:
    return db.session.scalar(
        tenant_select(Comment, Comment.status == "held").with_only_columns(func.count(Comment.id))
    )


def _clinic_address(tenant: Tenant) -> str:
    location = tenant.primary_location
    return location.email if location is not None else ""


def queue_digest(tenant: Tenant, now: datetime | None = None) -> bool:
    """One "comments are waiting" e-mail to the clinic per COMMENT_DIGEST_MINUTES.

    Covers every held comment not yet told about. The outbox key names the time
    window, so two requests (or the cron command) in the same window queue one
    e-mail between them; a duplicate is rolled back to its savepoint, nothing else.
    """
    now = now or utcnow()
    recipient = _clinic_address(tenant)
    if not recipient:
        return False
    waiting = list(
        db.session.scalars(
            select(Comment)
            .where(
                Comment.tenant_id == tenant.id,
                Comment.status == "held",
                Comment.notified_at.is_(None),
            )
            .order_by(Comment.id)
            .execution_options(all_tenants=True)
        )
    )
    if not waiting:
        return False
    minutes = current_app.config["COMMENT_DIGEST_MINUTES"]
    window = int(now.timestamp() // (minutes * 60))
    try:
        with db.session.begin_nested():
            mail.queue(
                tenant,
                "comments-waiting",
                recipient,
                "comments_waiting",
                key=f"comments-waiting:{tenant.id}:{window}",
                waiting=waiting,
                total=_held_total(tenant),
                studio_url=origin_for(tenant.primary_host) + "/studio/comments",
            )
    except IntegrityError:  # this window's e-mail is queued already: the next one tells
        return False
    db.session.execute(
        update(Comment)
        .where(Comment.id.in_([c.id for c in waiting]), Comment.tenant_id == tenant.id)
        .values(notified_at=now)
        .execution_options(synchronize_session=False, all_tenants=True)
    )
    return True


def _held_total(tenant: Tenant) -> int:
    """Held comments of a clinic, outside a request too (the cron command)."""
    return db.session.scalar(
        select(func.count(Comment.id))
        .where(Comment.tenant_id == tenant.id, Comment.status == "held")
        .execution_options(all_tenants=True)
    )


def digest_due(now: datetime | None = None) -> int:
    """For cron: queue the digest of every clinic with comments nobody was told about."""
    now = now or utcnow()
    tenant_ids = db.session.scalars(
        select(Comment.tenant_id)
        .where(Comment.status == "held", Comment.notified_at.is_(None))
        .distinct()
        .execution_options(all_tenants=True)
    ).all()
    queued = 0
    for tenant_id in tenant_ids:
        tenant = db.session.get(Tenant, tenant_id)
        if tenant is not None and tenant.is_active and queue_digest(tenant, now):
            queued += 1
    db.session.commit()
    return queued
