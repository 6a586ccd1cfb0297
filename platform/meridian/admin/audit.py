"""Every audit event, for platform admins."""

from __future__ import annotations

from flask import render_template

from ..auth.access import platform_admin_required
from ..auth.auditlog import platform_events_page
from . import bp


@bp.get("/audit")
@platform_admin_required
def audit():
    return render_template("admin/audit.html", page=platform_events_page())
