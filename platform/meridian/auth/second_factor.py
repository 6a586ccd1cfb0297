"""The seam for second factors (TOTP, recovery codes, passkeys).

The sign-in pipeline (meridian.auth.signin) is:

    password ok ──► second factor needed? ──no──► complete_sign_in(user)
                           │ yes
                           ▼
                  pending state in the session (user, session version, host, time)
                           ▼
                  /studio/sign-in/second-factor  (or /admin/…): lists the user's
                  enrolled methods; each method's own page verifies and then calls
                  complete_sign_in(user, method=key)

A factor is *needed* when the user has one (`User.has_second_factor`) or when it is
*required*: platform admins always; clinic staff when their clinic's owner set
`Tenant.staff_second_factor_required`. A required factor that is not set up is never
skipped: the second-factor page refuses, unless a method offers enrolment during
sign-in (`enrol_endpoint`), which then must complete the sign-in itself.

To add a method, call `register(SecondFactorMethod(...))` at import time of its module
and import that module from `meridian.auth.methods` (loaded before the studio and admin
blueprints are built). Its `routes` are added to BOTH the studio and the admin
blueprint (endpoint `studio.<name>` / `admin.<name>`); mark their views with
`meridian.auth.access.pending_sign_in` (reachable only with a pending state, which
`pending_user()` returns) or a role decorator (for settings pages).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import g

from ..models import Tenant, User


@dataclass(frozen=True)
class Route:
    rule: str  # relative to the blueprint, e.g. "/sign-in/totp"
    endpoint: str  # e.g. "sign_in_totp"
    view: Callable
    methods: tuple[str, ...] = ("GET", "POST")


@dataclass(frozen=True)
class SecondFactorMethod:
    key: str  # "totp", "recovery", "passkey"
    label: str  # shown on the second-factor page: "Authenticator app"
    is_enrolled: Callable[[User], bool]
    # Endpoint (without blueprint) of the page that verifies this factor at sign-in.
    verify_endpoint: str
    # Optional endpoint that lets a user with a required-but-missing factor set it up
    # during sign-in (after the password, before the session starts).
    enrol_endpoint: str | None = None
    routes: tuple[Route, ...] = field(default=())
    # Recovery codes are a fallback: they do not count as "having a second factor".
    counts_as_factor: bool = True


_REGISTRY: dict[str, SecondFactorMethod] = {}
#: Pages that belong to no one method (the account's security page), also mounted on
#: both blueprints.
_PAGES: dict[str, Route] = {}


def register(method: SecondFactorMethod) -> None:
    _REGISTRY[method.key] = method


def add_page(route: Route) -> None:
    _PAGES[route.endpoint] = route


def pages() -> list[Route]:
    return list(_PAGES.values())


def unregister(key: str) -> None:
    _REGISTRY.pop(key, None)


def methods() -> list[SecondFactorMethod]:
    return list(_REGISTRY.values())


def enrolled_methods(user: User) -> list[SecondFactorMethod]:
    return [m for m in _REGISTRY.values() if m.is_enrolled(user)]


def has_factor(user: User) -> bool:
    return any(m.counts_as_factor for m in enrolled_methods(user))


def required_for(user: User, tenant: Tenant | None = None) -> bool:
    """Platform admins always; clinic staff when their clinic requires it."""
    tenant = tenant if tenant is not None else g.get("tenant")
    if tenant is None:
        return user.is_platform_admin
    return bool(tenant.staff_second_factor_required)


def needed(user: User, tenant: Tenant | None = None) -> bool:
    return has_factor(user) or required_for(user, tenant)


def enrol_methods() -> list[SecondFactorMethod]:
    return [m for m in _REGISTRY.values() if m.enrol_endpoint]
