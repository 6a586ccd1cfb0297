"""The platform's own host: Meridian's front page with the directory of clinics, and
its robots.txt and sitemap.xml. Reading pages: no cookie, cache validators."""

from __future__ import annotations

from flask import current_app, make_response, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Tenant

#: Seconds a browser or proxy may keep the front page before asking again.
MAX_AGE = 300


def _platform_origin() -> str:
    """The platform's public origin, from configuration (never the request's Host)."""
    from ..urls import origin_for

    return origin_for(current_app.config["PLATFORM_HOSTS"][0])


def _clinics() -> list[Tenant]:
    return list(
        db.session.scalars(
            select(Tenant)
            .where(Tenant.status == "active")
            .options(selectinload(Tenant.domains), selectinload(Tenant.locations))
            .order_by(Tenant.name)
        )
    )


def index():
    """What Meridian offers clinics, then every active clinic with its locations, a
    link to its site and one to book there."""
    clinics = [tenant for tenant in _clinics() if tenant.primary_host]
    body = render_template(
        "directory/index.html", tenants=clinics, canonical=_platform_origin() + "/"
    )
    response = current_app.response_class(body, content_type="text/html; charset=utf-8")
    response.add_etag()
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response.make_conditional(request)


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
