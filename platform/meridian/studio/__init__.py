"""The studio: /studio/ on a clinic's primary host, for that clinic's staff.

Every view declares who may use it (meridian.auth.access); `guard` refuses the rest.
An alias domain redirects to the primary domain first, so the session cookie (which
is host-only) always lives on one host. Responses are never stored by any cache.

Add a page: a view in a module of this package with `@bp.get(...)` and a role
decorator below it, and (for the menu) `nav.add("Posts", "studio.posts", order=20)`.
"""

from flask import Blueprint, abort, g, redirect, request

from ..auth import methods  # noqa: F401  (second-factor methods register their routes)
from ..auth.access import enforce
from ..auth.signin import add_sign_in_routes
from ..urls import origin_for

bp = Blueprint("studio", __name__, url_prefix="/studio")


@bp.before_request
def guard():
    tenant = g.get("tenant")
    if tenant is None:
        abort(404)  # the platform host never serves /studio/
    if g.host != tenant.primary_host:
        code = 302 if request.method in ("GET", "HEAD") else 308
        return redirect(origin_for(tenant.primary_host) + request.full_path.rstrip("?"), code)
    refused = enforce()
    if refused is not None:
        from .rescue import keep_typed_text

        return keep_typed_text(refused)
    return None


@bp.after_request
def private(response):
    response.headers["Cache-Control"] = "no-store"
    return response


add_sign_in_routes(bp)

from . import (  # noqa: E402, F401  (routes register on import)
    audit,
    bookings,
    calendar_feed,
    clients,
    comments,
    desk_actions,
    faq,
    invitations,
    locations,
    media,
    messages,
    missing,
    notifications,
    post_extras,
    posts,
    practitioners,
    privacy,
    requests,
    rescue,
    services,
    settings,
    sign_in_policy,
    staff,
    subscribers,
    views,
)
