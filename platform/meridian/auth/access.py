"""Who may use which studio and admin page: declared on each view, checked in ONE place.

Every view of the `studio` and `admin` blueprints declares its requirement with one of

    @role_required("owner", "editor")   clinic staff with one of these roles
    @member_required                    any member of the clinic (every role)
    @platform_admin_required            platform admins, on the platform host only
    @account_required                   anyone signed in here: any member on a clinic
                                        host, a platform admin on the platform host
                                        (their own account's pages, in both areas)
    @pending_sign_in                    mid sign-in: password ok, second factor to come
    @anonymous_allowed                  anyone (the sign-in page itself)

The decorators only attach an `Access` to the view; `enforce()` (a before_request of
both blueprints) reads it and refuses. A view that declares nothing is refused (403),
and tests/test_access.py fails for it. Put the decorator *below* `@bp.route`.

Roles: owner (everything in their clinic, staff and client data included), editor
(posts, media, FAQ, comments), front_desk (bookings and clients).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import abort, current_app, g, redirect, request, session, url_for
from flask_login import current_user

from ..models import ROLES

F = TypeVar("F", bound=Callable)


@dataclass(frozen=True)
class Access:
    roles: frozenset[str] = frozenset()
    platform_admin: bool = False
    pending: bool = False
    anonymous: bool = False

    @property
    def signed_in(self) -> bool:
        return bool(self.roles) or self.platform_admin


def _declare(access: Access) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        if getattr(view, "access", None) is not None:
            raise TypeError(f"{view.__name__} declares its access twice")
        view.access = access  # type: ignore[attr-defined]
        return view

    return decorator


def role_required(*roles: str) -> Callable[[F], F]:
    unknown = set(roles) - set(ROLES)
    if not roles or unknown:
        raise ValueError(f"role_required needs roles from {ROLES}, got {roles}")
    return _declare(Access(roles=frozenset(roles)))


member_required = role_required(*ROLES)
platform_admin_required = _declare(Access(platform_admin=True))
account_required = _declare(Access(roles=frozenset(ROLES), platform_admin=True))
pending_sign_in = _declare(Access(pending=True))
anonymous_allowed = _declare(Access(anonymous=True))


def access_of(endpoint: str | None) -> Access | None:
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "access", None)


def current_role() -> str | None:
    membership = g.get("membership")
    return membership.role if membership is not None else None


def may(*roles: str) -> bool:
    """For templates and views: does the signed-in member hold one of these roles?"""
    return current_user.is_authenticated and current_role() in roles


def enforce():
    """before_request of the studio and admin blueprints: deny unless declared and met."""
    access = access_of(request.endpoint)
    if access is None:
        if request.endpoint is None:  # no such URL: let routing answer 404/405
            return None
        abort(403)
    if access.anonymous:
        return None
    if access.pending:
        from .signin import pending_user

        if pending_user() is None:
            from .sessions import PENDING

            # A sign-in that was under way but ran out of time says so on the page.
            ended = {"ended": "pending"} if PENDING in session else {}
            return redirect(url_for(f"{request.blueprint}.sign_in", **ended))
        return None
    if not current_user.is_authenticated:
        reason = g.get("auth_ended")
        here = request.full_path.rstrip("?")
        return redirect(
            url_for(f"{request.blueprint}.sign_in", next=here, ended=reason)
            if reason
            else url_for(f"{request.blueprint}.sign_in", next=here)
        )
    if g.get("tenant") is None:
        if not (access.platform_admin and current_user.is_platform_admin):
            abort(403)
        return None
    if current_role() not in access.roles:
        abort(403)
    return None


#: The blueprints whose every view must declare its access.
GUARDED_BLUEPRINTS = ("studio", "admin")


def undeclared_views(app) -> list[str]:
    """Endpoints of guarded blueprints whose view declares no access."""
    return sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint.partition(".")[0] in GUARDED_BLUEPRINTS
        and getattr(view, "access", None) is None
    )
