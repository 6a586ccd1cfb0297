"""The platform admin console: /admin/ on the platform host only, for platform admins.

Same rules as the studio: every view declares its access (usually
`@platform_admin_required`), the guard refuses the rest, nothing is cached.
"""

from flask import Blueprint, abort, g

from ..auth import methods  # noqa: F401
from ..auth.access import enforce
from ..auth.signin import add_sign_in_routes

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def guard():
    if g.get("tenant") is not None:
        abort(404)  # a clinic host never serves /admin/
    return enforce()


@bp.after_request
def private(response):
    response.headers["Cache-Control"] = "no-store"
    return response


add_sign_in_routes(bp)

from . import audit, bookings, clinics, imports, leaving, missing, onboarding, views  # noqa: E402, F401
