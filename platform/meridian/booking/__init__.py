"""Booking: visitors choose a location, service, day and time, then leave details."""

from flask import Blueprint, abort

from ..tenancy import on_clinic_host

bp = Blueprint("booking", __name__, url_prefix="/book")


@bp.before_request
def require_tenant_host() -> None:
    if not on_clinic_host():
        abort(404)


from . import views  # noqa: E402, F401  (routes register on import)
