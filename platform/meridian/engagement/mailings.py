"""New-post e-mails: queued by `flask engagement notify` (cron), exactly once.

A post is announced when it is live (`published_at <= now`), whether someone
published it in the studio or its scheduled time arrived with nobody on the site.
Who gets it: the clinic's subscribers who were confirmed before the post went live
(so a new subscriber is not sent the back catalogue, and an old post imported later
is not announced). Exactly once, twice over:

* `post_mailing.post_id` is UNIQUE: one mailing per post, ever, whatever runs at once;
* each e-mail's outbox key is `new-post:<post>:<subscriber>`, UNIQUE in the outbox.

Subscribers are queued in id order, NEW_POST_BATCH per transaction; each batch moves
the mailing's cursor with a conditional UPDATE, so two workers never queue the same
batch and a crash resumes where the last commit left off. The outbox then sends them
(`flask outbox send --limit …`).
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError

from .. import mail
from ..extensions import db
from ..models import Post, PostMailing, Subscriber, Tenant, utcnow
from ..urls import tenant_url
from .subscriptions import list_headers, unsubscribe_url


def _unannounced(now: datetime):
    announced = exists().where(PostMailing.post_id == Post.id)
    return (
        select(Post, Tenant)
        .join(Tenant, Tenant.id == Post.tenant_id)
        .where(Post.published_at <= now, Tenant.status == "active", ~announced)
        .order_by(Post.published_at, Post.id)
        .execution_options(all_tenants=True)
    )


def _unfinished():
    return (
        select(PostMailing, Post, Tenant)
        .join(Post, (Post.id == PostMailing.post_id) & (Post.tenant_id == PostMailing.tenant_id))
        .join(Tenant, Tenant.id == PostMailing.tenant_id)
        .where(PostMailing.finished_at.is_(None), Tenant.status == "active")
        .order_by(PostMailing.id)
        .execution_options(all_tenants=True)
    )


def _start(post: Post) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(PostMailing(tenant_id=post.tenant_id, post_id=post.id))
    except IntegrityError:
        pass  # another worker started it: the loop below helps finish it
    db.session.commit()


def _batch(mailing: PostMailing, post: Post, tenant: Tenant) -> int | None:
    """Queue the next batch: how many this call queued, or None once nobody is left."""
    cursor = mailing.last_subscriber_id
    subscribers = db.session.scalars(
        select(Subscriber)
        .where(
            Subscriber.tenant_id == tenant.id,
            Subscriber.status == "confirmed",
            Subscriber.confirmed_at < post.published_at,
            Subscriber.id > cursor,
        )
        .order_by(Subscriber.id)
        .limit(current_app.config["NEW_POST_BATCH"])
        .execution_options(all_tenants=True)
    ).all()
    if not subscribers:
        db.session.execute(
            update(PostMailing)
            .where(PostMailing.id == mailing.id, PostMailing.finished_at.is_(None))
            .values(finished_at=utcnow())
            .execution_options(synchronize_session=False, all_tenants=True)
        )
        db.session.commit()
        return None
    post_url = tenant_url(tenant, "site.post", slug=post.slug)
    for subscriber in subscribers:
        url = unsubscribe_url(tenant, subscriber)
        mail.queue(
            tenant,
            "new-post",
            subscriber.email,
            "new_post",
            key=f"new-post:{post.id}:{subscriber.id}",
            headers=list_headers(url),
            post=post,
            post_url=post_url,
            unsubscribe_url=url,
        )
    moved = db.session.execute(
        update(PostMailing)
        .where(PostMailing.id == mailing.id, PostMailing.last_subscriber_id == cursor)
        .values(last_subscriber_id=subscribers[-1].id, queued=PostMailing.queued + len(subscribers))
        .execution_options(synchronize_session=False, all_tenants=True)
    )
    if moved.rowcount != 1:  # another worker queued this batch first
        db.session.rollback()
        db.session.refresh(mailing)
        return 0
    db.session.commit()
    db.session.refresh(mailing)
    return len(subscribers)


def queue_new_post_mails(now: datetime | None = None) -> int:
    """Start a mailing for every newly live post and queue what is due; returns how many
    e-mails were queued by this call."""
    now = now or utcnow()
    for post, _tenant in db.session.execute(_unannounced(now)).all():
        _start(post)
    queued = 0
    for mailing, post, tenant in db.session.execute(_unfinished()).all():
        while (count := _batch(mailing, post, tenant)) is not None:
            queued += count
    return queued
