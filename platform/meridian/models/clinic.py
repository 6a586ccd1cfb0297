"""Where and what a clinic offers: locations, opening hours, services, FAQs."""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TenantOwned

if TYPE_CHECKING:
    from .tenant import Tenant

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Location(TenantOwned, db.Model):
    """A place where the clinic sees clients, with its own time zone."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(120))
    street: Mapped[str] = mapped_column(String(200), default="")
    locality: Mapped[str] = mapped_column(String(120), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    region: Mapped[str] = mapped_column(String(120), default="")
    postcode: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    directions: Mapped[str] = mapped_column(Text, default="")
    # Region code for public holidays (`holidays` package), e.g. NZ "WGN", GB "ENG".
    holiday_subdivision: Mapped[str] = mapped_column(String(10), default="", server_default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Who hears of new, moved and cancelled bookings here (the owner chooses, see
    # booking/recipients.py): the location's own address (on by default), the staff
    # members in `LocationNotifyMember`, and these other addresses.
    notify_location_email: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=sql_text("true")
    )
    notify_addresses: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default=sql_text("'[]'")
    )

    tenant: Mapped[Tenant] = relationship(back_populates="locations")
    hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="location",
        cascade="all, delete-orphan",
        order_by="(OpeningHours.weekday, OpeningHours.opens)",
    )

    __table_args__ = (
        UniqueConstraint("tenant_id", "slug"),
        # Target of composite foreign keys: children must share the tenant.
        UniqueConstraint("id", "tenant_id"),
    )

    @property
    def address_lines(self) -> list[str]:
        city_line = " ".join(part for part in (self.city, self.postcode) if part)
        return [line for line in (self.street, self.locality, city_line) if line]


class LocationNotifyMember(TenantOwned, db.Model):
    """A staff member the owner chose to receive a location's booking notifications.

    Keyed by the clinic's membership (tenant, user): when the member leaves the clinic
    the row goes with the membership. Only owners and front desk are sent anything
    (checked again when sending, so a member moved to editor hears no more)."""

    __tablename__ = "location_notify_member"
    affects_public_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(Integer, index=True)
    user_id: Mapped[int] = mapped_column(Integer, index=True)

    __table_args__ = (
        UniqueConstraint("location_id", "user_id"),
        ForeignKeyConstraint(
            ["location_id", "tenant_id"],
            ["location.id", "location.tenant_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["membership.tenant_id", "membership.user_id"],
            ondelete="CASCADE",
        ),
    )


class OpeningHours(TenantOwned, db.Model):
    """One opening interval on one weekday (0 = Monday), in the location's local time."""

    __tablename__ = "opening_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(Integer, index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)

    location: Mapped[Location] = relationship(back_populates="hours")

    __table_args__ = (
        ForeignKeyConstraint(
            ["location_id", "tenant_id"],
            ["location.id", "location.tenant_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("opens < closes", name="opens_before_closes"),
    )


class Service(TenantOwned, db.Model):
    """Something a client can book, e.g. the free 15-minute consultation."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int] = mapped_column(Integer)
    # Money in minor units (cents, pence) of the tenant's currency.
    price_minor: Mapped[int] = mapped_column(Integer, default=0)
    buffer_minutes: Mapped[int] = mapped_column(Integer, default=0)
    online_bookable: Mapped[bool] = mapped_column(Boolean, default=True)
    new_clients_only: Mapped[bool] = mapped_column(Boolean, default=False)
    min_notice_minutes: Mapped[int] = mapped_column(Integer, default=120, server_default="120")
    horizon_days: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    position: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("tenant_id", "slug"),
        UniqueConstraint("id", "tenant_id"),
        CheckConstraint("duration_minutes > 0", name="positive_duration"),
        CheckConstraint("price_minor >= 0", name="price_not_negative"),
    )


class Faq(TenantOwned, db.Model):
    """A question and its Markdown answer, shown in order on the FAQ page."""

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    question: Mapped[str] = mapped_column(String(300))
    answer_md: Mapped[str] = mapped_column(Text, default="")
    answer_html: Mapped[str] = mapped_column(Text, default="")
