"""Bookings and what guards them: closures, slot claims, new-client claims, outbox.

A booking belongs to a practitioner at a location. No double booking is enforced by the
database, not by a read-then-write in Python: every booking inserts one `SlotClaim` per
5-minute granule it covers (appointment plus buffer) in the same transaction, and
`(practitioner_id, granule_start)` is UNIQUE, so one practitioner is never booked twice
at once, at one location or across two. On PostgreSQL an exclusion constraint over
`(practitioner_id, tstzrange(starts_at, blocked_until))` of confirmed bookings is a
second lock (added by the migration only there).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..extensions import db
from .base import TenantOwned, UTCDateTime, utcnow
from .clinic import Location, Service
from .content import Post
from .practitioner import Practitioner
from .privacy import Consented, consent_key

GRANULE_MINUTES = 5


class Closure(TenantOwned, db.Model):
    """A day a location is closed, or (`is_open`) opened despite a public holiday.

    Shown on public pages ("closed today"), so a change bumps the content version."""

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")
    is_open: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        UniqueConstraint("location_id", "day"),
        ForeignKeyConstraint(
            ["location_id", "tenant_id"], ["location.id", "location.tenant_id"], ondelete="CASCADE"
        ),
    )


class Booking(Consented, TenantOwned, db.Model):
    """One appointment. `blocked_until` = ends_at + the service's buffer."""

    affects_public_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    location_id: Mapped[int] = mapped_column(Integer)
    service_id: Mapped[int] = mapped_column(Integer)
    practitioner_id: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[datetime] = mapped_column(UTCDateTime)
    # confirmed | cancelled | rescheduled
    status: Mapped[str] = mapped_column(String(16), default="confirmed")
    client_name: Mapped[str] = mapped_column(String(120))
    # Empty for a client booked at the desk who has no e-mail address (no mail is sent).
    client_email: Mapped[str] = mapped_column(String(254))
    client_phone: Mapped[str] = mapped_column(String(20))  # E.164
    # Possibly health information: never in e-mails, URLs or logs.
    reason: Mapped[str] = mapped_column(Text, default="")
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the client was erased (their details, reasons and e-mails removed).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rescheduled_to_id: Mapped[int | None] = mapped_column(Integer)
    # The desk's marks: arrived | no_show | completed (None: not marked yet).
    attendance: Mapped[str | None] = mapped_column(String(16))
    attendance_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why the clinic cancelled (the desk only; never in e-mails).
    cancel_note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The calendar event: a reschedule keeps the UID and raises the SEQUENCE, so the
    # visitor's calendar moves the appointment instead of adding a second one.
    calendar_uid: Mapped[str] = mapped_column(String(64))
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The post whose booking button the visitor followed (`/book?from=<post id>`), set
    # when the booking is made and only on that first row (a reschedule's new row has
    # none), so counting rows counts bookings made. The write path takes it from the
    # request's clinic only; deleting the post keeps the booking and forgets the post.
    from_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("post.id", ondelete="SET NULL"), index=True
    )

    # Read-only: the ids are set directly (the composite keys share tenant_id).
    location: Mapped[Location] = relationship(
        primaryjoin="and_(foreign(Booking.location_id) == Location.id, "
        "Booking.tenant_id == Location.tenant_id)",
        viewonly=True,
    )
    service: Mapped[Service] = relationship(
        primaryjoin="and_(foreign(Booking.service_id) == Service.id, "
        "Booking.tenant_id == Service.tenant_id)",
        viewonly=True,
    )
    practitioner: Mapped[Practitioner] = relationship(
        primaryjoin="and_(foreign(Booking.practitioner_id) == Practitioner.id, "
        "Booking.tenant_id == Practitioner.tenant_id)",
        viewonly=True,
    )
    from_post: Mapped[Post | None] = relationship(
        primaryjoin="and_(Booking.from_post_id == Post.id, Booking.tenant_id == Post.tenant_id)",
        foreign_keys=[from_post_id],
        viewonly=True,
    )
    rescheduled_to: Mapped[Booking | None] = relationship(
        remote_side="Booking.id",
        primaryjoin="and_(Booking.rescheduled_to_id == remote(Booking.id), "
        "Booking.tenant_id == remote(Booking.tenant_id))",
        foreign_keys="Booking.rescheduled_to_id",
        viewonly=True,
    )

    __table_args__ = (
        UniqueConstraint("id", "tenant_id"),
        ForeignKeyConstraint(
            ["location_id", "tenant_id"], ["location.id", "location.tenant_id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["service_id", "tenant_id"], ["service.id", "service.tenant_id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["practitioner_id", "tenant_id"],
            ["practitioner.id", "practitioner.tenant_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["rescheduled_to_id", "tenant_id"],
            ["booking.id", "booking.tenant_id"],
            name="fk_booking_rescheduled_to",
        ),
        consent_key("booking"),
        Index("ix_booking_location_starts", "location_id", "starts_at"),
        Index("ix_booking_practitioner_starts", "practitioner_id", "starts_at"),
    )


class SlotClaim(TenantOwned, db.Model):
    """One 5-minute granule of a practitioner's time held by one booking: the portable
    lock (at whichever location the booking is)."""

    __tablename__ = "slot_claim"
    affects_public_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(Integer)
    granule_start: Mapped[datetime] = mapped_column(UTCDateTime)
    booking_id: Mapped[int] = mapped_column(Integer, index=True)

    __table_args__ = (
        UniqueConstraint("practitioner_id", "granule_start"),
        ForeignKeyConstraint(
            ["booking_id", "tenant_id"], ["booking.id", "booking.tenant_id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["practitioner_id", "tenant_id"],
            ["practitioner.id", "practitioner.tenant_id"],
            ondelete="CASCADE",
        ),
    )


class NewClientClaim(TenantOwned, db.Model):
    """A new-clients-only booking holds its e-mail and phone, once per clinic."""

    __tablename__ = "new_client_claim"
    affects_public_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # email | phone
    value: Mapped[str] = mapped_column(String(254))
    booking_id: Mapped[int] = mapped_column(Integer, index=True)

    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "value"),
        ForeignKeyConstraint(
            ["booking_id", "tenant_id"], ["booking.id", "booking.tenant_id"], ondelete="CASCADE"
        ),
    )


class OutboxMessage(TenantOwned, db.Model):
    """An e-mail written in the same transaction as the change it announces."""

    __tablename__ = "outbox_message"
    affects_public_pages = False

    @declared_attr
    def tenant_id(cls) -> Mapped[int | None]:  # noqa: N805  (NULL: mail from the platform)
        return mapped_column(
            Integer, ForeignKey("tenant.id", ondelete="CASCADE"), index=True, nullable=True
        )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int | None] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)  # the HTML alternative, if any
    # Extra headers (mail.EXTRA_HEADERS only): List-Unsubscribe, Reply-To.
    headers: Mapped[dict[str, str] | None] = mapped_column(JSON)
    ics: Mapped[str | None] = mapped_column(Text)
    # queued | sending | sent | failed
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)

    __table_args__ = (
        ForeignKeyConstraint(
            ["booking_id", "tenant_id"], ["booking.id", "booking.tenant_id"], ondelete="CASCADE"
        ),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )
