"""Clinic directory on the platform host."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Tenant


def index():
    """Every active clinic with its locations, each linking to the clinic's own site."""
    tenants = db.session.scalars(
        select(Tenant)
        .where(Tenant.status == "active")
        .options(selectinload(Tenant.domains), selectinload(Tenant.locations))
        .order_by(Tenant.name)
    ).all()
    return render_template("directory/index.html", tenants=tenants)
