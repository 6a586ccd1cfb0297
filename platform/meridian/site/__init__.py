"""The clinic's public site, served on the clinic's own hosts only."""

from flask import Blueprint, abort

from ..tenancy import on_clinic_host

bp = Blueprint("site", __name__)


@bp.before_request
def require_tenant_host() -> None:
    if not on_clinic_host():
        abort(404)


from . import privacy, team, views  # noqa: E402, F401  (routes register on import)
