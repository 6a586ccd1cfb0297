"""The clinic's audit log, for owners."""

from __future__ import annotations

from flask import render_template

from ..auth.access import role_required
from ..auth.auditlog import events_page
from ..models import AuditEvent
from ..tenancy import tenant_select
from . import bp, nav

nav.add("Audit log", "studio.audit", order=95)


@bp.get("/audit")
@role_required("owner")
def audit():
    page = events_page(tenant_select(AuditEvent))
    return render_template("studio/audit.html", page=page)
