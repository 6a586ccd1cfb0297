"""What a clinic keeps about visitors, and for how long (meridian.privacy).

One `PrivacySettings` row per clinic (absent: the defaults below). The privacy notice
is generated from it, so a change bumps the clinic's content version (the notice is a
cached public page) like any other content edit.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import TenantOwned, UTCDateTime, utcnow

#: (field, default, lowest, highest): the retention periods a clinic chooses.
RETENTION_FIELDS = (
    # The reason for visit is erased this many days after the appointment.
    ("reason_days", 30, 1, 3650),
    # A booking (name, e-mail, phone, time, service) is deleted this many months after it.
    ("booking_months", 24, 1, 120),
    # A contact-form message is deleted this many months after it arrived.
    ("contact_months", 12, 1, 120),
)
RETENTION_DEFAULTS = {name: default for name, default, _, _ in RETENTION_FIELDS}


class PrivacySettings(TenantOwned, db.Model):
    """One clinic's retention periods (the purge enforces them; the notice states them)."""

    __tablename__ = "privacy_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    reason_days: Mapped[int] = mapped_column(Integer, default=RETENTION_DEFAULTS["reason_days"])
    booking_months: Mapped[int] = mapped_column(
        Integer, default=RETENTION_DEFAULTS["booking_months"]
    )
    contact_months: Mapped[int] = mapped_column(
        Integer, default=RETENTION_DEFAULTS["contact_months"]
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("tenant_id"),
        *(
            CheckConstraint(f"{name} BETWEEN {low} AND {high}", name=name)
            for name, _, low, high in RETENTION_FIELDS
        ),
    )


class PrivacyNotice(TenantOwned, db.Model):
    """A version of a clinic's privacy notice, or (number and published_at NULL) the
    owner's draft of their own words (at most one draft per clinic).

    A published version is kept for good: `snapshot_html` is the notice exactly as
    visitors read it then, and every booking, comment, subscription and contact message
    points at the version in force when it was made.
    """

    __tablename__ = "privacy_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int | None] = mapped_column(Integer)
    # The owner's own words, added at the end of the generated notice (Markdown).
    owner_text: Mapped[str] = mapped_column(Text, default="")
    owner_html: Mapped[str] = mapped_column(Text, default="")
    # Why this version exists: "published", "retention", "first".
    reason: Mapped[str] = mapped_column(String(16), default="published")
    snapshot_html: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        # Target of the records' composite keys: a record points at its own clinic's notice.
        UniqueConstraint("id", "tenant_id"),
        CheckConstraint("(number IS NULL) = (published_at IS NULL)", name="published_has_number"),
    )

    @property
    def affects_public_pages(self) -> bool:  # type: ignore[override]
        """A draft is the owner's alone; a published version is on the notice page."""
        return self.published_at is not None


class Consented:
    """A record made through a form: the version of the notice in force when it was
    made (NULL: made by the clinic, or before notices were versioned) and the exact
    words the person agreed to. Add `consent_key(table)` to the table's args."""

    privacy_notice_id: Mapped[int | None] = mapped_column(Integer)
    consent_text: Mapped[str] = mapped_column(Text, default="", server_default="")


def consent_key(table: str) -> ForeignKeyConstraint:
    """The record's notice is its own clinic's (composite key, like every other link)."""
    return ForeignKeyConstraint(
        ["privacy_notice_id", "tenant_id"],
        ["privacy_notice.id", "privacy_notice.tenant_id"],
        name=f"fk_{table}_privacy_notice",
    )


REQUEST_KINDS = ("copy", "correct", "erase")
#: unconfirmed (the e-mail's link not used yet: never shown to the clinic) -> open -> answered
REQUEST_STATES = ("unconfirmed", "open", "answered")


class DataRequest(Consented, TenantOwned, db.Model):
    """A visitor's request for a copy of their data, a correction or erasure."""

    __tablename__ = "data_request"
    affects_public_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(254))
    # What to correct, or anything else the visitor adds (never in e-mails).
    details: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="unconfirmed")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The day the answer is due by law (in the clinic's time zone), from confirmation.
    due_on: Mapped[date | None] = mapped_column(Date)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by: Mapped[str] = mapped_column(String(254), default="")
    answer_note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint("kind IN ('copy', 'correct', 'erase')", name="kind"),
        CheckConstraint("status IN ('unconfirmed', 'open', 'answered')", name="status"),
        Index("ix_data_request_tenant_status", "tenant_id", "status"),
        consent_key("data_request"),
    )
