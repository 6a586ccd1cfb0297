"""The per-clinic redirect table: old path -> new path, answered with a 301.

Rules kept here, once: no redirect from a path to itself, no loops (a path that
becomes a page's address again stops redirecting), no chains (every redirect that
led to the old path now leads straight to the new one).
"""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Redirect, Tenant


def normalise(path: str) -> str:
    """Paths are stored as requested, without query or fragment, and without a trailing
    slash (except the root)."""
    path = path.split("?", 1)[0].split("#", 1)[0].strip()
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"not a path on this site: {path!r}")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in path):
        raise ValueError(f"control characters in a path: {path!r}")  # no page has them
    return path if path == "/" else path.rstrip("/") or "/"


def add(tenant: Tenant, old_path: str, new_path: str, reason: str = "slug-change") -> None:
    old, new = normalise(old_path), normalise(new_path)
    if old == new:
        return
    rows = list(
        db.session.scalars(
            select(Redirect).where(
                Redirect.tenant_id == tenant.id,
                (Redirect.old_path.in_([old, new])) | (Redirect.new_path == old),
            )
        )
    )
    existing = None
    for row in rows:
        if row.old_path == new:
            db.session.delete(row)  # the new address is a page again: it must not redirect
        elif row.old_path == old:
            existing = row
        elif row.new_path == old:
            row.new_path = new  # no chains
    if existing is None:
        db.session.add(Redirect(tenant_id=tenant.id, old_path=old, new_path=new, reason=reason))
    else:
        existing.new_path, existing.reason = new, reason
    db.session.flush()


def target(tenant: Tenant, path: str) -> str | None:
    """Where `path` now lives on this clinic's site, or None."""
    try:
        key = normalise(path)
    except ValueError:
        return None
    return db.session.scalars(
        select(Redirect.new_path).where(Redirect.tenant_id == tenant.id, Redirect.old_path == key)
    ).first()
