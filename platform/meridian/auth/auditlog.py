"""Reading the audit log: one page of events, newest first (studio and admin views)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import AuditEvent
from ..params import page_arg

PER_PAGE = 50


def events_page(stmt=None):
    """A page of `stmt` (default: every event the guard lets this host see)."""
    page = page_arg()  # ASCII digits within bounds, else 404
    stmt = stmt if stmt is not None else select(AuditEvent)
    return db.paginate(
        stmt.order_by(AuditEvent.id.desc()), page=page, per_page=PER_PAGE, error_out=True
    )


def platform_events_page():
    """Admins: every clinic's events and the platform's own, with the clinic named."""
    return events_page(select(AuditEvent).options(joinedload(AuditEvent.tenant)))
