"""The people a clinic books: practitioners, what they offer, where and when they work.

A booking belongs to a practitioner at a location. Free times are computed per
practitioner: their weekly hours at that location (within the location's opening
hours), minus their bookings at any location and their time off. The database refuses
one practitioner in two places at once (see `SlotClaim` in booking.py).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TenantOwned, UTCDateTime

if TYPE_CHECKING:
    from .media import MediaItem


class Practitioner(TenantOwned, db.Model):
    """A person who sees clients. May later be linked to a staff account; needs none."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(120))
    # e.g. "Acupuncturist, MBAcC": qualifications and registration, one line.
    title: Mapped[str] = mapped_column(String(200), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    # A file in the bundle's static/ folder, served as it is (e.g. an SVG placeholder).
    photo: Mapped[str | None] = mapped_column(String(200))
    # Their photograph as a media library item (responsive copies, alt text): wins over
    # `photo` on public pages. A bundle's raster `photo` is loaded into the library.
    photo_media_id: Mapped[int | None] = mapped_column(
        ForeignKey("media_item.id", ondelete="SET NULL")
    )
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Retired practitioners keep their bookings but take no new ones and leave the site.
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    portrait: Mapped[MediaItem | None] = relationship(
        primaryjoin="and_(Practitioner.photo_media_id == MediaItem.id, "
        "Practitioner.tenant_id == MediaItem.tenant_id)",
        foreign_keys=[photo_media_id],
        viewonly=True,
    )
    services: Mapped[list[PractitionerService]] = relationship(
        back_populates="practitioner", cascade="all, delete-orphan"
    )
    hours: Mapped[list[PractitionerHours]] = relationship(
        back_populates="practitioner",
        cascade="all, delete-orphan",
        order_by="(PractitionerHours.location_id, PractitionerHours.weekday, "
        "PractitionerHours.opens)",
    )

    __table_args__ = (
        UniqueConstraint("tenant_id", "slug"),
        UniqueConstraint("id", "tenant_id"),
    )

    @property
    def service_ids(self) -> set[int]:
        return {link.service_id for link in self.services}

    @property
    def location_ids(self) -> set[int]:
        return {h.location_id for h in self.hours}


class PractitionerService(TenantOwned, db.Model):
    """A service this practitioner offers."""

    __tablename__ = "practitioner_service"

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(Integer)
    service_id: Mapped[int] = mapped_column(Integer, index=True)

    practitioner: Mapped[Practitioner] = relationship(back_populates="services")

    __table_args__ = (
        UniqueConstraint("practitioner_id", "service_id"),
        ForeignKeyConstraint(
            ["practitioner_id", "tenant_id"],
            ["practitioner.id", "practitioner.tenant_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["service_id", "tenant_id"], ["service.id", "service.tenant_id"], ondelete="CASCADE"
        ),
    )


class PractitionerHours(TenantOwned, db.Model):
    """One working interval on one weekday (0 = Monday) at one location, local time."""

    __tablename__ = "practitioner_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(Integer)
    location_id: Mapped[int] = mapped_column(Integer, index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)

    practitioner: Mapped[Practitioner] = relationship(back_populates="hours")

    __table_args__ = (
        ForeignKeyConstraint(
            ["practitioner_id", "tenant_id"],
            ["practitioner.id", "practitioner.tenant_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["location_id", "tenant_id"], ["location.id", "location.tenant_id"], ondelete="CASCADE"
        ),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("opens < closes", name="opens_before_closes"),
        Index("ix_practitioner_hours_practitioner", "practitioner_id", "location_id"),
    )


class TimeOff(TenantOwned, db.Model):
    """A practitioner away for [starts_at, ends_at): no bookings at any location."""

    __tablename__ = "time_off"
    affects_public_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    practitioner_id: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # For the clinic only; never shown to visitors.
    note: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        ForeignKeyConstraint(
            ["practitioner_id", "tenant_id"],
            ["practitioner.id", "practitioner.tenant_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
        Index("ix_time_off_practitioner", "practitioner_id", "starts_at"),
    )
