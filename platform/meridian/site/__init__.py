"""The clinic's public site, served on the clinic's own hosts only."""

from flask import Blueprint, abort, g, request

bp = Blueprint("site", __name__)

#: Answered on the platform host too, with the platform's own content.
BOTH_HOSTS = {"site.robots", "site.sitemap"}


@bp.before_request
def require_tenant_host() -> None:
    if g.get("tenant") is None and request.endpoint not in BOTH_HOSTS:
        abort(404)


from . import views  # noqa: E402, F401  (routes register on import)
