"""The purge that keeps each clinic's retention promises (run by the worker's
`retention` task, hourly; safe to run twice or in parallel: every step is a
conditional UPDATE or DELETE).

Per clinic, from its settings (meridian.privacy.settings):

* the reason for visit is blanked `reason_days` after the appointment;
* a booking is deleted `booking_months` after it ended (with its slot claims, its
  new-client claim and its e-mails, by the database's cascades);
* a contact-form message is deleted `contact_months` after it arrived.

And for every clinic alike (the notice says so; FIXED_DAYS): subscriptions never
confirmed, and addresses that unsubscribed, go after 30 days; comments marked as spam
after 30 days; copies of e-mails that belong to no booking 90 days after sending;
data requests never confirmed after 7 days, answered ones two years after the answer.
"""

from __future__ import annotations

import calendar
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from ..extensions import db
from ..models import (
    RETENTION_DEFAULTS,
    Booking,
    Comment,
    ContactMessage,
    DataRequest,
    OutboxMessage,
    PrivacySettings,
    Subscriber,
    Tenant,
    utcnow,
)
from ..worker import retention_hook

#: Periods the same for every clinic (days).
FIXED_DAYS = {
    "pending_subscriber": 30,
    "unsubscribed": 30,
    "spam_comment": 30,
    "mail_copy": 90,
    "unconfirmed_request": 7,
    # How a data request was answered is kept to show it was (two years).
    "answered_request": 730,
}


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st → the month's last)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _run(statement) -> int:
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount


def purge_clinic(tenant_id: int, periods: dict[str, int], now: datetime) -> Counter:
    """One clinic's expired data, in the session (the caller commits)."""
    done: Counter = Counter()
    reason_cutoff = now - timedelta(days=periods["reason_days"])
    done["reasons_erased"] = _run(
        update(Booking)
        .where(
            Booking.tenant_id == tenant_id,
            Booking.starts_at < reason_cutoff,
            Booking.reason != "",
        )
        .values(reason="")
    )
    booking_cutoff = months_before(now, periods["booking_months"])
    expired = select(Booking.id).where(
        Booking.tenant_id == tenant_id, Booking.ends_at < booking_cutoff
    )
    # A booking that was moved points at its successor (no cascade on that key): let go
    # of any pointer into the expired set before deleting it.
    _run(
        update(Booking)
        .where(Booking.tenant_id == tenant_id, Booking.rescheduled_to_id.in_(expired))
        .values(rescheduled_to_id=None)
    )
    done["bookings_deleted"] = _run(
        delete(Booking).where(Booking.tenant_id == tenant_id, Booking.ends_at < booking_cutoff)
    )
    done["messages_deleted"] = _run(
        delete(ContactMessage).where(
            ContactMessage.tenant_id == tenant_id,
            ContactMessage.created_at < months_before(now, periods["contact_months"]),
        )
    )
    days = {name: now - timedelta(days=count) for name, count in FIXED_DAYS.items()}
    done["subscribers_deleted"] = _run(
        delete(Subscriber).where(
            Subscriber.tenant_id == tenant_id,
            (
                (Subscriber.status == "pending")
                & (Subscriber.created_at < days["pending_subscriber"])
            )
            | (
                (Subscriber.status == "unsubscribed")
                & (Subscriber.unsubscribed_at < days["unsubscribed"])
            ),
        )
    )
    # One by one, not a bulk DELETE: a bulk one of comments would invalidate the cached
    # pages of every clinic; spam was never on a page, so its removal bumps nothing.
    spam = db.session.scalars(
        select(Comment).where(
            Comment.tenant_id == tenant_id,
            Comment.status == "spam",
            Comment.created_at < days["spam_comment"],
        )
    ).all()
    for comment in spam:
        db.session.delete(comment)
    done["spam_deleted"] = len(spam)
    done["requests_deleted"] = _run(
        delete(DataRequest).where(
            DataRequest.tenant_id == tenant_id,
            (
                (DataRequest.status == "unconfirmed")
                & (DataRequest.created_at < days["unconfirmed_request"])
            )
            | (
                (DataRequest.status == "answered")
                & (DataRequest.answered_at < days["answered_request"])
            ),
        )
    )
    done["mail_copies_deleted"] = _run(
        delete(OutboxMessage).where(
            OutboxMessage.tenant_id == tenant_id,
            OutboxMessage.booking_id.is_(None),
            OutboxMessage.status.in_(("sent", "failed")),
            OutboxMessage.created_at < days["mail_copy"],
        )
    )
    return done


@retention_hook
def purge_expired(now: datetime | None = None) -> dict[str, int]:
    """Every clinic's expired data; one transaction per clinic. Returns what went."""
    now = now or utcnow()
    saved = {
        row.tenant_id: row
        for row in db.session.scalars(select(PrivacySettings).execution_options(all_tenants=True))
    }
    tenant_ids = db.session.scalars(select(Tenant.id).order_by(Tenant.id)).all()
    total: Counter = Counter()
    for tenant_id in tenant_ids:
        row = saved.get(tenant_id)
        periods = (
            {name: getattr(row, name) for name in RETENTION_DEFAULTS}
            if row is not None
            else dict(RETENTION_DEFAULTS)
        )
        total += purge_clinic(tenant_id, periods, now)
        db.session.commit()
    return {name: count for name, count in total.items() if count}
