"""People who sign in: clinic staff (through a Membership per clinic) and platform admins.

* `User` is platform-wide: one person may work for several clinics with a separate role
  in each. The e-mail is stored lower-cased, so uniqueness is case-insensitive.
* `Membership` is the only thing that lets a user into a clinic's studio.
* `AuditEvent` records who did what; `tenant_id` is NULL for platform events (admin
  sign-ins, clinic suspension). It is tenant-owned, so on a clinic host the query guard
  shows only that clinic's events.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..extensions import db
from .base import TenantOwned, UTCDateTime, utcnow
from .tenant import Tenant

#: Clinic roles, most powerful first. See meridian.auth.access for what each may do.
ROLES = ("owner", "editor", "front_desk")
ROLE_LABELS = {"owner": "Owner", "editor": "Editor", "front_desk": "Front desk"}


def normalise_email(raw: str) -> str:
    return raw.strip().lower()


class User(db.Model):
    """A person who can sign in. Never deleted while audit events name them."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    # argon2id (meridian.auth.passwords); NULL until a password is set, and never matches.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Part of every session: bumping it ends every copy of every session cookie at once.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    is_platform_admin: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lower"),)

    # Flask-Login's interface. get_id carries the session version, so a bumped version
    # makes every existing cookie name a user that no longer exists.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def has_second_factor(self) -> bool:
        """True when any registered second-factor method is set up for this user."""
        from ..auth.second_factor import has_factor

        return has_factor(self)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class Membership(TenantOwned, db.Model):
    """A user's role in one clinic."""

    affects_public_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The private calendar feed's secret, hashed (SHA-256 hex); None: no feed.
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    user: Mapped[User] = relationship(back_populates="memberships")

    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id"),
        CheckConstraint("role IN ('owner', 'editor', 'front_desk')", name="role"),
    )

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


class AuditEvent(TenantOwned, db.Model):
    """Who did what, where and when. Written by meridian.auth.audit.record."""

    affects_public_pages = False

    @declared_attr
    def tenant_id(cls) -> Mapped[int | None]:  # noqa: N805  (NULL: a platform event)
        return mapped_column(
            Integer, ForeignKey("tenant.id", ondelete="CASCADE"), index=True, nullable=True
        )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    # The actor's e-mail at the time (also for failed sign-ins with no such user).
    actor_email: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200), default="")
    client_address: Mapped[str] = mapped_column(String(45), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    tenant: Mapped[Tenant | None] = relationship()


class Invitation(TenantOwned, db.Model):
    """An owner's invitation to join the clinic with a role, sent by e-mail.

    The link carries a signed token naming this row and a random secret whose SHA-256
    is stored here; accepting sets `accepted_at` in a conditional UPDATE, so a link
    works once. Revoking deletes the row.
    """

    affects_public_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("role IN ('owner', 'editor', 'front_desk')", name="role"),)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]
