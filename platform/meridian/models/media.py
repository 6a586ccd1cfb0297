"""Uploaded images: one row per upload, its re-encoded copies live in media storage."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import TenantOwned, UTCDateTime, utcnow


class MediaItem(TenantOwned, db.Model):
    """A photo uploaded to the media library.

    Only re-encoded copies are stored (the upload itself is never kept, so neither is
    its metadata). `variants` lists them from narrowest to widest as
    `[width, height, name]`; the storage key of each is `<tenant_id>/<name>`.
    `width`/`height` are those of the widest copy, upright.
    """

    __tablename__ = "media_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random, and the prefix of every copy's name: `<token>-<width>w-<hash>.webp`.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    alt: Mapped[str] = mapped_column(String(300), default="")
    source_format: Mapped[str] = mapped_column(String(10), default="")
    content_type: Mapped[str] = mapped_column(String(40), default="image/webp")
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    byte_size: Mapped[int] = mapped_column(Integer, default=0)
    variants: Mapped[list[list]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("id", "tenant_id"),)

    @property
    def names(self) -> list[str]:
        return [name for _, _, name in self.variants]

    def storage_keys(self) -> list[str]:
        return [f"{self.tenant_id}/{name}" for name in self.names]

    def __repr__(self) -> str:
        return f"<MediaItem {self.token} {self.width}x{self.height}>"
