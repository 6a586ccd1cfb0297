"""The clinic's public site, served on the clinic's own hosts only."""

from flask import Blueprint, abort, request

from ..tenancy import on_clinic_host

bp = Blueprint("site", __name__)


@bp.before_request
def require_tenant_host():
    if not on_clinic_host():
        # The platform's host has a robots.txt and a sitemap of its own.
        from ..directory import views as platform

        if request.endpoint == "site.robots":
            return platform.robots()
        if request.endpoint == "site.sitemap":
            return platform.sitemap()
        abort(404)
    return None


from . import privacy, team, views  # noqa: E402, F401  (routes register on import)
