"""What readers send a clinic: comments, likes, e-mail subscriptions, contact messages.

Every row is tenant-owned and every link to a post is a composite foreign key, so the
database refuses a comment or like on another clinic's post. A change that readers see
(an approved comment, a like) bumps the clinic's content version through the same
after-flush hook as any content edit; a held comment, a subscriber or a message does not.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, attributes, mapped_column

from ..extensions import db
from .base import TenantOwned, UTCDateTime, utcnow
from .privacy import Consented, consent_key

COMMENT_STATES = ("held", "approved", "spam")
SUBSCRIBER_STATES = ("pending", "confirmed", "unsubscribed")
MESSAGE_STATES = ("new", "read", "replied", "archived")
#: "hold_all": every comment waits for the clinic; "hold_first": a commenter whose
#: earlier comment (same e-mail) was approved is published at once.
COMMENT_POLICIES = ("hold_all", "hold_first")


def _post_key() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["post_id", "tenant_id"], ["post.id", "post.tenant_id"], ondelete="CASCADE"
    )


class Comment(Consented, TenantOwned, db.Model):
    """A reader's comment on a post (plain text), or the clinic's reply to one."""

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(Integer)
    # A reply by the clinic points at the comment it answers (one level deep).
    parent_id: Mapped[int | None] = mapped_column(Integer)
    author_name: Mapped[str] = mapped_column(String(80))
    # Never shown on the site; used for "hold only a first comment" and by the clinic.
    author_email: Mapped[str] = mapped_column(String(254), default="")
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="held")
    by_clinic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the clinic was told about it (the "comments waiting" e-mail), if held.
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("id", "tenant_id"),
        _post_key(),
        ForeignKeyConstraint(
            ["parent_id", "tenant_id"],
            ["comment.id", "comment.tenant_id"],
            name="fk_comment_parent",
            ondelete="CASCADE",
        ),
        CheckConstraint("status IN ('held', 'approved', 'spam')", name="status"),
        consent_key("comment"),
        Index("ix_comment_post_status", "post_id", "status"),
        Index("ix_comment_tenant_status", "tenant_id", "status"),
    )

    @property
    def affects_public_pages(self) -> bool:  # type: ignore[override]
        """Only an approved comment (or one that was approved until now) is on the site."""
        if self.status == "approved":
            return True
        return "approved" in attributes.get_history(self, "status").deleted


class Like(TenantOwned, db.Model):
    """One browser's like of one post. `liker` is a keyed hash of the browser's random
    like-cookie value (never the address), unique per post."""

    __tablename__ = "post_like"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(Integer)
    liker: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (_post_key(), UniqueConstraint("post_id", "liker"))


class Subscriber(Consented, TenantOwned, db.Model):
    """An e-mail address subscribed to a clinic's new posts (double opt-in)."""

    affects_public_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last confirmation or "already subscribed" e-mail: resends are throttled.
    last_mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("tenant_id", "email"),
        UniqueConstraint("id", "tenant_id"),
        CheckConstraint("status IN ('pending', 'confirmed', 'unsubscribed')", name="status"),
        consent_key("subscriber"),
    )


class PostMailing(TenantOwned, db.Model):
    """The new-post e-mail of one post: at most one per post, ever.

    Subscribers are queued in id order in batches; `last_subscriber_id` is the cursor,
    moved by a conditional UPDATE in the same transaction as each batch's outbox rows.
    """

    __tablename__ = "post_mailing"
    affects_public_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(Integer, unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_subscriber_id: Mapped[int] = mapped_column(Integer, default=0)
    queued: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (_post_key(),)


class ContactMessage(Consented, TenantOwned, db.Model):
    """A message from the contact form, kept in the studio's inbox."""

    __tablename__ = "contact_message"
    affects_public_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="new")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("status IN ('new', 'read', 'replied', 'archived')", name="status"),
        Index("ix_contact_message_tenant_status", "tenant_id", "status"),
        consent_key("contact_message"),
    )
