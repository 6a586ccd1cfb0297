"""The clinic (tenant) and the host names it answers on."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TenantOwned, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .clinic import Location
    from .media import MediaItem


class Tenant(db.Model):
    """One clinic's site: identity, branding and the version of its public content."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    tagline: Mapped[str] = mapped_column(String(200), default="")
    about_md: Mapped[str] = mapped_column(Text, default="")
    about_html: Mapped[str] = mapped_column(Text, default="")
    disclaimer: Mapped[str] = mapped_column(Text, default="")
    cta: Mapped[str] = mapped_column(Text, default="")
    # Comments: "hold_all" (every comment waits for approval) or "hold_first".
    comment_policy: Mapped[str] = mapped_column(
        String(16), default="hold_all", server_default="hold_all"
    )
    locale: Mapped[str] = mapped_column(String(16), default="en_GB")
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    country: Mapped[str] = mapped_column(String(2), default="GB")
    founded: Mapped[int | None] = mapped_column(Integer)
    brand_primary: Mapped[str] = mapped_column(String(7), default="#1f4e5f")
    brand_accent: Mapped[str] = mapped_column(String(7), default="#9c3d1f")
    logo: Mapped[str | None] = mapped_column(String(120))
    # The designed theme (meridian/themes.py); brand colours and logo apply on top.
    theme: Mapped[str] = mapped_column(String(32), default="calm", server_default="calm")
    # The home page's photograph: a media library item (its alt text is the item's).
    # (use_alter: media_item rows belong to a tenant, so the two tables refer to each other)
    hero_media_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "media_item.id",
            ondelete="SET NULL",
            use_alter=True,
            name="fk_tenant_hero_media_id_media_item",
        )
    )
    # One line of trust (registration, years in practice, languages) under the pitch.
    trust_line: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # "Your first visit" in a few short steps, shown on the home page.
    first_visit: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    social: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # The From address of the clinic's e-mails ("" = the platform's MAIL_FROM).
    mail_from: Mapped[str] = mapped_column(String(254), default="", server_default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    # The owner can require every member of staff to use a second factor.
    staff_second_factor_required: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    # Online cancel/reschedule links stop working this many hours before the
    # appointment (and always once it has started); after that, the client phones.
    change_cutoff_hours: Mapped[int] = mapped_column(Integer, default=24, server_default="24")
    # Bumped by any change to content shown on public pages (see tenancy.py); part of
    # every page-cache key, so an edit is visible on the next request in every process.
    content_version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    # The next moment a scheduled post goes live; the first request after it bumps
    # content_version, so scheduled posts appear on time without anyone editing.
    next_publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When content was last changed outside a bundle (the studio); `tenants load` then
    # shows what it would overwrite and needs --replace. A bundle load clears it.
    studio_edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    domains: Mapped[list[Domain]] = relationship(
        back_populates="tenant", cascade="all, delete-orphan", order_by="Domain.id"
    )
    locations: Mapped[list[Location]] = relationship(
        back_populates="tenant", cascade="all, delete-orphan", order_by="Location.position"
    )
    # Only ever one of the clinic's own items (the join says so too).
    hero: Mapped[MediaItem | None] = relationship(
        primaryjoin="and_(Tenant.hero_media_id == MediaItem.id, Tenant.id == MediaItem.tenant_id)",
        foreign_keys=[hero_media_id],
        viewonly=True,
    )

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    @property
    def primary_host(self) -> str:
        for domain in self.domains:
            if domain.is_primary:
                return domain.hostname
        verified = [domain for domain in self.domains if domain.verified_at is not None]
        return verified[0].hostname if verified else ""

    @property
    def primary_location(self) -> Location | None:
        return self.locations[0] if self.locations else None

    def __repr__(self) -> str:
        return f"<Tenant {self.slug}>"


class Domain(TenantOwned, db.Model):
    """A host name (lower case, no scheme, no port) that serves one tenant.

    Tenant-owned, so the guard limits Domain queries to the active tenant: a check
    across all clinics (is this hostname free?) needs `execution_options(all_tenants=True)`.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    hostname: Mapped[str] = mapped_column(String(253), unique=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    # Only a verified domain serves (meridian.domains). Rows written by an operator
    # (bundles, tests) are verified on arrival; the admin console adds pending ones
    # (verified_at None) with a token to publish in DNS.
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    verification_token: Mapped[str] = mapped_column(String(64), default="")

    tenant: Mapped[Tenant] = relationship(back_populates="domains")

    __table_args__ = (
        # At most one primary domain per tenant.
        Index(
            "uq_domain_one_primary",
            "tenant_id",
            unique=True,
            sqlite_where=text("is_primary"),
            postgresql_where=text("is_primary"),
        ),
    )
