"""The platform's own host: Meridian's front page with the directory of clinics, and
its robots.txt and sitemap.xml. Reading pages: no cookie, cache validators."""

from __future__ import annotations

from flask import current_app, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Tenant
from ..urls import origin_for

#: Seconds a browser or proxy may keep the platform's pages before asking again.
MAX_AGE = 300


def _platform_origin() -> str:
    return origin_for(request.host.split(":")[0])


def _reading(body: str, content_type: str = "text/html; charset=utf-8"):
    """A cacheable answer with an ETag, 304 when the browser already has it."""
    response = current_app.response_class(body, content_type=content_type)
    response.add_etag()
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response.make_conditional(request)


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
    return _reading(
        render_template(
            "directory/index.html",
            tenants=clinics,
            canonical=_platform_origin() + "/",
        )
    )


def robots():
    text = (
        f"User-agent: *\nAllow: /\nDisallow: /admin/\n\nSitemap: {_platform_origin()}/sitemap.xml\n"
    )
    return _reading(text, "text/plain; charset=utf-8")


def sitemap():
    """The platform's own page; each clinic's pages are in its own sitemap."""
    body = render_template("directory/sitemap.xml", origin=_platform_origin())
    return _reading(body, "application/xml; charset=utf-8")
