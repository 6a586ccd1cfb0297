"""The studio's home page."""

from __future__ import annotations

from flask import render_template

from ..auth.access import current_role, member_required
from ..tenancy import current_tenant
from . import attention, bp, nav
from .post_form import zone_of

nav.add("Home", "studio.home", order=0)


@bp.get("/")
@member_required
def home():
    """Where every member lands after signing in: what needs attention, for their role."""
    tenant = current_tenant()
    return render_template(
        "studio/home.html",
        panels=attention.panels(tenant, current_role()),
        zone=zone_of(tenant),
    )


@bp.app_context_processor
def studio_context() -> dict[str, object]:
    return {"studio_nav": nav.visible_items}
