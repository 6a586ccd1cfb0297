"""Old paths a clinic's site keeps answering, with a permanent redirect to the new one.

Written when a published post's slug changes (and, later, by the blog import for the
old site's URLs). Looked up only when a path would otherwise be a 404, so the reading
pages pay nothing for it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import TenantOwned, UTCDateTime, utcnow


class Redirect(TenantOwned, db.Model):
    """`old_path` (a path on the clinic's host, no query) answers 301 to `new_path`."""

    affects_public_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    old_path: Mapped[str] = mapped_column(String(500))
    new_path: Mapped[str] = mapped_column(String(500))
    # slug-change | import | manual
    reason: Mapped[str] = mapped_column(String(16), default="slug-change")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("tenant_id", "old_path"),)
