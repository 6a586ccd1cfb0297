"""The 404 watch: paths on a clinic's host that answered 404, with how often."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import TenantOwned, UTCDateTime, utcnow


class MissingPath(TenantOwned, db.Model):
    """A path (no query) asked for on the clinic's host that found nothing: after a move,
    mostly old links from elsewhere. Cleared when it gets a redirect."""

    __tablename__ = "missing_path"
    affects_public_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(300))
    hits: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("tenant_id", "path"),)
