"""Importing an old blog into a clinic: a Wix site, an RSS or Atom feed, or a WordPress
export, from a URL (fetched behind the SSRF guard in `fetch`) or an uploaded file.

`import_blog` records an `ImportRun` with its report; see `run` for the rules (drafts
unless published on purpose, no duplicates on a re-run, resume, bounded runs, 301s
from every old path)."""

from __future__ import annotations

from ..extensions import db
from ..models import ImportRun, Tenant, User
from . import sources
from .run import Importer, Limits


def import_blog(
    tenant: Tenant,
    *,
    url: str | None = None,
    data: bytes | None = None,
    filename: str = "",
    publish: bool = False,
    dry_run: bool = False,
    user: User | None = None,
    limits: Limits | None = None,
) -> ImportRun:
    """Run one import (or dry run) from `url` or from a file's `data`; commits as it goes."""
    if (url is None) == (data is None):
        raise ValueError("import_blog: give a url or a file's data")
    run = ImportRun(
        tenant_id=tenant.id,
        source=(url or filename or "uploaded file")[:500],
        publish=publish,
        dry_run=dry_run,
        report=[],
        started_by_id=user.id if user is not None else None,
    )
    db.session.add(run)
    db.session.commit()
    if url is not None:
        return Importer(tenant, run, limits=limits).execute(lambda: sources.from_url(url))
    return Importer(tenant, run, limits=limits).execute(lambda: sources.from_bytes(data or b""))


__all__ = ["import_blog", "Limits"]
