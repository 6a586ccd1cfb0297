"""Clinic directory on the platform host."""

from __future__ import annotations

from flask import current_app, make_response, render_template
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


def _platform_origin() -> str:
    """The platform's public origin, from configuration (never the request's Host)."""
    from ..urls import origin_for

    return origin_for(current_app.config["PLATFORM_HOSTS"][0])


def _cacheable(body: str, content_type: str):
    response = make_response(body)
    response.content_type = content_type
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


def robots():
    """Index the directory; keep crawlers out of the admin and sign-in pages."""
    text = (
        "User-agent: *\nAllow: /\nDisallow: /admin\nDisallow: /sign-in\n\n"
        f"Sitemap: {_platform_origin()}/sitemap.xml\n"
    )
    return _cacheable(text, "text/plain; charset=utf-8")


def sitemap():
    """The platform host has one public page, the directory (clinics have their own)."""
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"  <url><loc>{_platform_origin()}/</loc></url>\n"
        "</urlset>\n"
    )
    return _cacheable(body, "application/xml; charset=utf-8")
