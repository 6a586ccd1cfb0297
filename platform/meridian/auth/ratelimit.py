"""Attempt limits for sign-in, password reset and second-factor checks.

Each guarded view gets two limits (Flask-Limiter; Redis when REDIS_URL is set): one per
account (the e-mail typed, or the user mid sign-in) and one per client address. Only
*failed* attempts count (the view's answer was not a redirect onward), so a person who
gets it right is never locked out by their own success. A breach answers 429 with a
branded page saying when to try again, and a Retry-After header.

Limits come from the config, e.g. SIGN_IN_RATE_LIMIT_ACCOUNT = "10 per 15 minutes".
Second-factor methods use `attempts_limited("second_factor", pending_account_key)`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, make_response, render_template, request
from flask_limiter import RequestLimit

from ..extensions import limiter
from ..models import normalise_email

F = TypeVar("F", bound=Callable)


def _limits_off() -> bool:
    return not current_app.config["RATE_LIMITS_ENABLED"]


def _failed(response) -> bool:
    """A redirect moves the person on (signed in, next step, mail sent): not a failure."""
    return response.status_code not in (302, 303)


def too_many(limit: RequestLimit):
    seconds = max(1, math.ceil(limit.reset_at - time.time()))
    minutes = max(1, math.ceil(seconds / 60))
    page = render_template("auth/too_many.html", minutes=minutes, area=request.blueprint)
    response = make_response(page, 429)
    response.headers["Retry-After"] = str(seconds)
    return response


def email_key() -> str:
    """The account a sign-in or reset form names (whether or not it exists)."""
    return normalise_email(request.form.get("email", ""))[:254] or "-"


def pending_account_key() -> str:
    """The user mid sign-in, for second-factor attempts."""
    from .signin import pending_user

    user = pending_user()
    return f"user:{user.id}" if user is not None else "-"


def _always(response) -> bool:
    return True


def attempts_limited(
    kind: str, account_key: Callable[[], str] = email_key, *, every_attempt: bool = False
) -> Callable[[F], F]:
    """Limit failed POSTs of `kind` (every POST with `every_attempt`) per account and
    per client address."""
    prefix = kind.upper()

    def decorator(view: F) -> F:
        for scope, key_func in (
            ("ACCOUNT", lambda: f"{kind}:account:{account_key()}"),
            ("ADDRESS", lambda: f"{kind}:address:{request.remote_addr or '-'}"),
        ):
            setting = f"{prefix}_RATE_LIMIT_{scope}"
            view = limiter.limit(
                lambda setting=setting: current_app.config[setting],
                key_func=key_func,
                methods=["POST"],
                deduct_when=_always if every_attempt else _failed,
                exempt_when=_limits_off,
                on_breach=too_many,
                scope=f"{kind}-{scope.lower()}",
            )(view)
        return view

    return decorator


def rate_limited(error):
    """The blueprint's 429 handler: the page `too_many` built, or a plain one."""
    if getattr(error, "response", None) is not None:
        return error.response
    page = render_template("auth/too_many.html", minutes=None, area=request.blueprint)
    return page, 429
