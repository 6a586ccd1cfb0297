"""Everything a clinic holds under one e-mail address, to answer a data request.

A request is confirmed from the visitor's own mailbox, so it speaks for that address
and nothing else: bookings are matched by the mailbox (`canonical_email`), never by a
phone number another person may share, and contact messages, comments and
subscriptions by the address itself.

* `gather` finds the records; the request's page shows how many of each.
* `export` is the copy the visitor asked for: a ZIP of one JSON document and a CSV per
  kind of record, each with the version of the privacy notice the person was shown
  and the words they agreed to.
* `erase` removes them: the bookings as the desk's erase does (only what statistics
  need is kept), messages, comments (with the clinic's replies to them) and
  subscriptions deleted. The request itself is kept: it is the record of the answer.

The callers (studio/requests.py) check the role, audit and commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import func, or_, select

from ..booking.identity import canonical_email
from ..desk import clients as client_book
from ..extensions import db
from ..models import (
    Booking,
    Comment,
    ContactMessage,
    DataRequest,
    OutboxMessage,
    Post,
    PrivacyNotice,
    Subscriber,
    Tenant,
    utcnow,
)
from ..spreadsheet import records, text
from ..tenancy import tenant_select

MESSAGE_FIELDS = ("created_at", "name", "email", "phone", "body", "status", "notice", "consent")
COMMENT_FIELDS = ("created_at", "post", "author_name", "author_email", "body", "status", "notice")
COMMENT_FIELDS += ("consent",)
SUBSCRIPTION_FIELDS = ("created_at", "email", "status", "confirmed_at", "unsubscribed_at")
SUBSCRIPTION_FIELDS += ("notice", "consent")


@dataclass
class Held:
    """What the clinic holds under one address."""

    email: str
    bookings: list[Booking] = field(default_factory=list)
    messages: list[ContactMessage] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    subscriptions: list[Subscriber] = field(default_factory=list)
    # E-mails about the bookings, and any other e-mail sent to the address.
    emails: list[OutboxMessage] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "bookings": len(self.bookings),
            "emails": len(self.emails),
            "messages": len(self.messages),
            "comments": len(self.comments),
            "subscriptions": len(self.subscriptions),
        }

    @cached_property
    def client(self) -> client_book.Client | None:
        """The bookings as the desk's client (its id: the first booking's)."""
        if not self.bookings:
            return None
        latest = max(self.bookings, key=lambda b: b.id)
        return client_book.Client(
            id=min(b.id for b in self.bookings),
            name=latest.client_name,
            email=latest.client_email,
            phone=latest.client_phone,
            bookings=sorted(self.bookings, key=lambda b: b.starts_at, reverse=True),
        )


def _by_address(model, column, address: str) -> list:
    return list(
        db.session.scalars(tenant_select(model, func.lower(column) == address).order_by(model.id))
    )


def gather(tenant: Tenant, email: str) -> Held:
    """Every record of this clinic under `email` (the current tenant's: `tenant_select`)."""
    address = email.strip().lower()
    mailbox = canonical_email(address)
    bookings = [
        booking
        for booking in db.session.scalars(
            tenant_select(Booking, Booking.client_email != "").order_by(Booking.id)
        )
        if client_book.mailbox_of(booking) == mailbox
    ]
    booking_ids = [b.id for b in bookings]
    messages = _by_address(ContactMessage, ContactMessage.email, address)
    # The clinic's notice of each contact message carries its sender's words and address.
    notices = [f"contact-message:{m.id}" for m in messages]
    emails = db.session.scalars(
        tenant_select(
            OutboxMessage,
            or_(
                OutboxMessage.booking_id.in_(booking_ids),
                func.lower(OutboxMessage.recipient) == address,
                OutboxMessage.idempotency_key.in_(notices),
            ),
        ).order_by(OutboxMessage.id)
    )
    return Held(
        email=address,
        bookings=bookings,
        emails=list(emails),
        messages=messages,
        comments=_by_address(Comment, Comment.author_email, address),
        subscriptions=_by_address(Subscriber, Subscriber.email, address),
    )


def _notices(tenant: Tenant) -> dict[int, int]:
    """Version id -> its number, for the consent columns."""
    return dict(
        db.session.execute(
            select(PrivacyNotice.id, PrivacyNotice.number).where(
                PrivacyNotice.tenant_id == tenant.id, PrivacyNotice.number.is_not(None)
            )
        ).all()
    )


def export(tenant: Tenant, request: DataRequest, held: Held) -> bytes:
    """The copy: held.json (everything) and one CSV per kind of record."""
    numbers = _notices(tenant)

    def consent(row) -> dict[str, str]:
        number = numbers.get(row.privacy_notice_id)
        return {
            "notice": f"version {number}" if number else "",
            "consent": row.consent_text or "",
        }

    client = held.client
    bookings = client_book.booking_rows(client) if client else []
    emails = client_book.email_rows(held.emails, held.bookings, {held.email})
    messages = [
        {name: text(getattr(m, name)) for name in MESSAGE_FIELDS[:-2]} | consent(m)
        for m in held.messages
    ]
    titles = dict(
        db.session.execute(
            select(Post.id, Post.title).where(
                Post.tenant_id == tenant.id, Post.id.in_({c.post_id for c in held.comments})
            )
        ).all()
    )
    comments = [
        {name: text(getattr(c, name, "")) for name in COMMENT_FIELDS[:-2]}
        | {"post": text(titles.get(c.post_id))}
        | consent(c)
        for c in held.comments
    ]
    subscriptions = [
        {name: text(getattr(s, name)) for name in SUBSCRIPTION_FIELDS[:-2]} | consent(s)
        for s in held.subscriptions
    ]
    document = {
        "clinic": tenant.name,
        "exported_at": text(utcnow()),
        "address": held.email,
        "request": {
            "kind": request.kind,
            "confirmed_at": text(request.confirmed_at),
            "due_on": text(request.due_on),
        },
        # Their requests to this clinic (this one included), as the clinic keeps them.
        "data_requests": [
            {
                "kind": r.kind,
                "status": r.status,
                "details": r.details,
                "asked_at": text(r.created_at),
                "confirmed_at": text(r.confirmed_at),
                "answered_at": text(r.answered_at),
                "answer": r.answer_note,
            }
            for r in _by_address(DataRequest, DataRequest.email, held.email)
        ],
        "bookings": bookings,
        "emails": emails,
        "contact_messages": messages,
        "comments": comments,
        "subscriptions": subscriptions,
    }
    return client_book.zip_of(
        {
            "held.json": json.dumps(document, indent=2, ensure_ascii=False),
            "bookings.csv": records(bookings, client_book.BOOKING_FIELDS),
            "emails.csv": records(emails, client_book.EMAIL_FIELDS),
            "contact_messages.csv": records(messages, MESSAGE_FIELDS),
            "comments.csv": records(comments, COMMENT_FIELDS),
            "subscriptions.csv": records(subscriptions, SUBSCRIPTION_FIELDS),
        }
    )


def erase(tenant: Tenant, held: Held) -> dict[str, int]:
    """Remove everything held under the address (the caller audits and commits)."""
    booking_ids = {b.id for b in held.bookings}
    counts = {"bookings": 0, "cancelled": 0}
    if held.client is not None:
        counts = client_book.erase(held.client)
    client_book.delete_emails([m for m in held.emails if m.booking_id not in booking_ids])
    # The clinic's replies go with their comment (ON DELETE CASCADE).
    for row in [*held.messages, *held.comments, *held.subscriptions]:
        db.session.delete(row)
    return counts | {
        "emails": len(held.emails),
        "messages": len(held.messages),
        "comments": len(held.comments),
        "subscriptions": len(held.subscriptions),
    }
