"""The clinic's public site, served on the clinic's own hosts only."""

from flask import Blueprint, abort, request

from ..tenancy import on_clinic_host

bp = Blueprint("site", __name__)

#: Answered on the platform host too, with the platform's own content.
BOTH_HOSTS = {"site.robots", "site.sitemap"}


@bp.before_request
def require_tenant_host() -> None:
    if not on_clinic_host() and request.endpoint not in BOTH_HOSTS:
        abort(404)


from . import privacy, team, views  # noqa: E402, F401  (routes register on import)
