"""The 404 watch: count the paths that answer 404 on a clinic's host, so the platform
admin can see the old links that still arrive and redirect them in one click.

One UPDATE (or a count and an INSERT), committed at once, only when the request has
no change of its own pending; at most MISSING_PATHS_KEPT distinct paths per clinic (bots probing thousands of
addresses cannot grow the table without bound); paths only, never query strings."""

from __future__ import annotations

from flask import current_app, g, request
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import MissingPath, utcnow

PATH_MAX = 300


def note_missing() -> None:
    tenant = g.get("tenant")
    if tenant is None or request.method not in ("GET", "HEAD"):
        return
    path = request.path
    if len(path) > PATH_MAX or path.startswith(("/static/", "/media/", "/studio/")):
        return
    session = db.session
    if session.new or session.dirty or session.deleted:
        return  # never commit a half-made change of the request along with the count
    table = MissingPath.__table__
    now = utcnow()
    try:
        done = session.execute(
            update(table)
            .where(table.c.tenant_id == tenant.id, table.c.path == path)
            .values(hits=table.c.hits + 1, last_seen=now)
        ).rowcount
        if not done:
            kept = session.execute(
                select(func.count()).select_from(table).where(table.c.tenant_id == tenant.id)
            ).scalar_one()
            if kept >= int(current_app.config["MISSING_PATHS_KEPT"]):
                session.rollback()
                return
            session.execute(
                insert(table).values(
                    tenant_id=tenant.id, path=path, hits=1, first_seen=now, last_seen=now
                )
            )
        session.commit()
    except IntegrityError:
        session.rollback()  # another request inserted it first: its count is close enough
    except Exception:  # a 404 page must never fail because of the watch
        session.rollback()
        current_app.logger.warning("404 watch: could not record %s", path[:100], exc_info=True)
