"""What a clinic keeps about visitors, and for how long (meridian.privacy).

One `PrivacySettings` row per clinic (absent: the defaults below). The privacy notice
is generated from it, so a change bumps the clinic's content version (the notice is a
cached public page) like any other content edit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, UniqueConstraint
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
