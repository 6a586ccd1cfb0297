"""Shared column types and the tenant-ownership mixin."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Integer, TypeDecorator
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite stores them naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True
    migration_type = "sa.DateTime(timezone=True)"

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class TenantOwned:
    """A row that belongs to exactly one clinic.

    Every query for such rows goes through `meridian.tenancy` (`tenant_select`,
    `get_for_tenant_or_404`); a session-wide guard adds the same criterion to any
    SELECT issued while a tenant is active, as a second lock.

    `affects_public_pages` says whether a change to such a row must invalidate the
    tenant's cached public pages (bookings and outgoing mail do not).
    """

    affects_public_pages = True

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(
            Integer, ForeignKey("tenant.id", ondelete="CASCADE"), index=True, nullable=False
        )
