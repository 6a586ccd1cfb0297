"""The admin console's home page."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from ..auth.access import platform_admin_required
from ..extensions import db
from ..models import Tenant
from . import bp


@bp.get("/")
@platform_admin_required
def home():
    """Every clinic at a glance."""
    tenants = db.session.scalars(select(Tenant).order_by(Tenant.name)).all()
    return render_template("admin/home.html", tenants=tenants)
