"""Blog imports: each run with its report, and what each run brought across (so a
re-run skips it, and a run that stopped half way resumes where it stopped)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import TenantOwned, UTCDateTime, utcnow


class ImportRun(TenantOwned, db.Model):
    """One import (or dry run) of an old blog into a clinic, and its report."""

    __tablename__ = "import_run"
    affects_public_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(500))  # the URL, or the uploaded file's name
    kind: Mapped[str] = mapped_column(String(16), default="")  # wix | rss | atom | wxr
    # running | done | failed | dry-run
    status: Mapped[str] = mapped_column(String(16), default="running")
    publish: Mapped[bool] = mapped_column(Boolean, default=False)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    # [{"title", "old": [paths], "action": imported|skipped|failed|would-import, "why", "new"}]
    report: Mapped[list[dict]] = mapped_column(JSON, default=list)
    problem: Mapped[str] = mapped_column(Text, default="")
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def count(self, action: str) -> int:
        return sum(1 for row in self.report or [] if row.get("action") == action)


class ImportedItem(TenantOwned, db.Model):
    """Something an import brought across: `kind` post (target: the post's id) or image
    (target: the media item's id), keyed by its address on the old site."""

    __tablename__ = "imported_item"
    affects_public_pages = False

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    key_hash: Mapped[str] = mapped_column(String(64))  # sha256 of source_key
    source_key: Mapped[str] = mapped_column(Text)
    target_id: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("import_run.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("tenant_id", "kind", "key_hash"),)
