"""The admin console's home page: every clinic at a glance, and the platform's health."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from sqlalchemy import func, select

from ..auth.access import platform_admin_required
from ..extensions import db
from ..models import AuditEvent, Booking, ImportRun, OutboxMessage, Tenant, utcnow
from . import bp


@bp.get("/")
@platform_admin_required
def home():
    """Clinics with their state and bookings made in the last 7 days; the outbox's
    backlog and failures; the last blog imports; the latest audit events."""
    week_ago = utcnow() - timedelta(days=7)
    bookings = dict(
        db.session.execute(
            select(Booking.tenant_id, func.count())
            .where(Booking.created_at >= week_ago)
            .group_by(Booking.tenant_id)
        ).all()
    )
    outbox = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.status.in_(("queued", "sending", "failed")))
            .group_by(OutboxMessage.status)
        ).all()
    )
    tenants = db.session.scalars(select(Tenant).order_by(Tenant.name)).all()
    events = db.session.scalars(
        select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(20)
    ).all()
    imports = db.session.scalars(
        select(ImportRun).order_by(ImportRun.created_at.desc(), ImportRun.id.desc()).limit(5)
    ).all()
    names = {tenant.id: tenant.name for tenant in tenants}
    return render_template(
        "admin/home.html",
        tenants=tenants,
        bookings=bookings,
        outbox=outbox,
        events=events,
        imports=imports,
        names=names,
    )
