"""The platform's own host: a directory of clinics (the admin joins it later)."""

from flask import Blueprint, abort

from ..tenancy import on_clinic_host

bp = Blueprint("directory", __name__)


@bp.before_request
def require_platform_host() -> None:
    if on_clinic_host():
        abort(404)


from . import views  # noqa: E402, F401
