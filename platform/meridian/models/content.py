"""Blog posts, their tags and their revisions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TenantOwned, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .media import MediaItem

# The link carries tenant_id and both composite keys, so the database itself refuses
# to tag one clinic's post with another clinic's tag.
post_tag = Table(
    "post_tag",
    db.metadata,
    Column("tenant_id", Integer, ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False),
    Column("post_id", Integer, primary_key=True),
    Column("tag_id", Integer, primary_key=True, index=True),
    ForeignKeyConstraint(
        ["post_id", "tenant_id"], ["post.id", "post.tenant_id"], ondelete="CASCADE"
    ),
    ForeignKeyConstraint(["tag_id", "tenant_id"], ["tag.id", "tag.tenant_id"], ondelete="CASCADE"),
)


class Tag(TenantOwned, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(63))

    __table_args__ = (UniqueConstraint("tenant_id", "slug"), UniqueConstraint("id", "tenant_id"))


POST_STATUSES = ("draft", "scheduled", "published")


class Post(TenantOwned, db.Model):
    """An article. `published_at` None is a draft; in the future, scheduled.

    The status is derived from `published_at` rather than stored beside it, so a
    scheduled post becomes published by the clock alone and the two can never disagree.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(300), default="")
    excerpt: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(120), default="")
    body_md: Mapped[str] = mapped_column(Text, default="")
    # Sanitised HTML, rendered when the Markdown is saved, never per request.
    body_html: Mapped[str] = mapped_column(Text, default="")
    reading_minutes: Mapped[int] = mapped_column(Integer, default=1)
    # A plain same-site path (older bundles); a photo of the media library is preferred.
    cover_image: Mapped[str | None] = mapped_column(String(200))
    # The cover photograph: a media library item of the same clinic (the write path
    # checks the clinic; the library refuses to delete a photo that is a cover).
    cover_media_id: Mapped[int | None] = mapped_column(
        ForeignKey("media_item.id", ondelete="SET NULL")
    )
    # Required whenever there is a cover (the write path refuses one without).
    cover_alt: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # The <title> and social title when it should differ from the headline.
    seo_title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    cover: Mapped[MediaItem | None] = relationship(
        primaryjoin="and_(Post.cover_media_id == MediaItem.id, Post.tenant_id == MediaItem.tenant_id)",
        foreign_keys=[cover_media_id],
        viewonly=True,
    )
    tags: Mapped[list[Tag]] = relationship(
        secondary=post_tag,
        order_by="Tag.name",
        primaryjoin="and_(Post.id == post_tag.c.post_id, Post.tenant_id == post_tag.c.tenant_id)",
        secondaryjoin="and_(Tag.id == post_tag.c.tag_id, Tag.tenant_id == post_tag.c.tenant_id)",
    )

    __table_args__ = (
        UniqueConstraint("tenant_id", "slug"),
        UniqueConstraint("id", "tenant_id"),
        Index("ix_post_tenant_published", "tenant_id", "published_at"),
    )

    def is_live(self, now: datetime | None = None) -> bool:
        return self.published_at is not None and self.published_at <= (now or utcnow())

    def status_at(self, now: datetime | None = None) -> str:
        if self.published_at is None:
            return "draft"
        return "published" if self.is_live(now) else "scheduled"

    @property
    def status(self) -> str:
        """`draft`, `scheduled` or `published`, now."""
        return self.status_at()


class PostRevision(TenantOwned, db.Model):
    """A snapshot of a post as saved: every save keeps one, and any can be restored.

    `kind` says what made it (saved, published, scheduled, unpublished, autosave,
    restored, bundle, original). `actor` is the name shown beside it, kept as text so a
    revision outlives the account that made it.
    """

    __tablename__ = "post_revision"
    affects_public_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(120))
    body_md: Mapped[str] = mapped_column(Text, default="")
    excerpt: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(String(300), default="")
    seo_title: Mapped[str] = mapped_column(String(200), default="")
    author: Mapped[str] = mapped_column(String(120), default="")
    # The media item's id as it was (no key: a revision outlives a deleted photo).
    cover_media_id: Mapped[int | None] = mapped_column(Integer)
    cover_image: Mapped[str | None] = mapped_column(String(200))
    cover_alt: Mapped[str] = mapped_column(String(300), default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        ForeignKeyConstraint(
            ["post_id", "tenant_id"], ["post.id", "post.tenant_id"], ondelete="CASCADE"
        ),
        Index("ix_post_revision_post", "post_id", "id"),
    )
