"""The sign-in pipeline and its pages, served under /studio/ (clinics) and /admin/.

    sign_in (password) ─► password_verified(user) ─► complete_sign_in(user)
                                   └─► pending state ─► second_factor page ─► a method's
                                                         page ─► complete_sign_in(user)

`complete_sign_in` is the only place a session starts; second-factor methods call it
(see meridian.auth.second_factor).
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..models import User, normalise_email, utcnow
from ..tenancy import resolve_tenant
from . import audit, passwords, second_factor
from .access import anonymous_allowed, pending_sign_in
from .forms import EmptyForm, SignInForm
from .ratelimit import attempts_limited, rate_limited
from .sessions import PENDING, allowed_here, end_every_session, end_session, host_key
from .sessions import start_session as _start_session

BAD_CREDENTIALS = "That e-mail address and password do not match an account here."
ENDED_MESSAGES = {
    "idle": "You were signed out after a while without activity. Please sign in again.",
    "expired": "Your session reached its time limit. Please sign in again.",
    "ended": "Your session has ended. Please sign in again.",
    "elsewhere": "Please sign in again.",
    "invalid": "Please sign in again.",
    "pending": "That sign-in took too long or was interrupted. Please start again.",
}


def _home() -> str:
    return url_for(f"{request.blueprint}.home")


def safe_next(raw: str | None) -> str:
    """Only a path on this same host, inside this blueprint's area; else its home."""
    if not raw:
        return _home()
    parts = urlsplit(raw)
    prefix = url_for(f"{request.blueprint}.home")
    if parts.scheme or parts.netloc or not raw.startswith(prefix) or "\\" in raw:
        return _home()
    return raw.rstrip("?")


def password_verified(user: User, next_url: str):
    """Step 2 of the pipeline: straight in, or on to the second factor."""
    if not second_factor.needed(user):
        return complete_sign_in(user, method="password", next_url=next_url)
    session.clear()  # nothing from before the sign-in survives
    session[PENDING] = {
        "u": user.id,
        "v": user.session_version,
        "t": host_key(),
        "at": int(time.time()),
        "next": next_url,
    }
    audit.record("sign_in.password_ok", actor=user, second_factor="pending")
    db.session.commit()
    return redirect(url_for(f"{request.blueprint}.second_factor"))


def pending_user() -> User | None:
    """The user whose password was accepted on this host and who owes a second factor."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or pending.get("t") != host_key():
        return None
    limit = int(current_app.config["AUTH_PENDING_MINUTES"]) * 60
    if not isinstance(pending.get("at"), int) or time.time() - pending["at"] > limit:
        return None
    user = db.session.get(User, pending.get("u") or 0)
    if user is None or user.session_version != pending.get("v") or not allowed_here(user):
        return None
    return user


def complete_sign_in(user: User, *, method: str, next_url: str | None = None):
    """The one place a signed-in session starts: fresh cookie, audit, redirect."""
    return redirect(start_signed_in(user, method=method, next_url=next_url))


def start_signed_in(user: User, *, method: str, next_url: str | None = None) -> str:
    """Start the session (fresh cookie, audit, commit); the safe URL to go on to. For a
    page that must show something first (new recovery codes) instead of redirecting."""
    if next_url is None:
        pending = session.get(PENDING)
        next_url = pending.get("next") if isinstance(pending, dict) else None
    _start_session(user)
    user.last_sign_in_at = utcnow()
    audit.record("sign_in", actor=user, method=method)
    db.session.commit()
    return safe_next(next_url)


@attempts_limited("sign_in")
@anonymous_allowed
def sign_in():
    """E-mail and password. One answer for every failure, whichever the reason."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")))
    form = SignInForm()
    next_url = request.values.get("next", "")
    error = None
    if form.validate_on_submit():
        email = normalise_email(form.email.data)
        user = db.session.scalars(select(User).where(User.email == email)).first()
        ok = passwords.verify_password(user, form.password.data)
        if ok and user is not None and allowed_here(user):
            if passwords.needs_rehash(user):
                user.password_hash = passwords.hash_password(form.password.data)
            return password_verified(user, next_url)
        audit.record("sign_in.failed", actor=user if ok else None, actor_email=email)
        db.session.commit()
        error = BAD_CREDENTIALS
    ended = ENDED_MESSAGES.get(request.args.get("ended", "")) if request.method == "GET" else None
    return render_template(
        "auth/sign_in.html",
        form=form,
        error=error,
        ended=ended,
        next_url=safe_next(next_url) if next_url else "",
        area=request.blueprint,
    )


@pending_sign_in
def second_factor_page():
    """The user's enrolled methods; a required factor that is missing is refused."""
    user = pending_user()
    assert user is not None  # enforce() saw to it
    enrolled = second_factor.enrolled_methods(user)
    enrol = [] if enrolled else second_factor.enrol_methods()
    refused = not enrolled and not enrol
    if refused:
        audit.record("sign_in.second_factor_missing", actor=user)
        db.session.commit()
    return render_template(
        "auth/second_factor.html",
        methods=enrolled,
        enrol=enrol,
        refused=refused,
        area=request.blueprint,
        cancel_form=EmptyForm(),
    ), (403 if refused else 200)


@anonymous_allowed
def sign_out():
    """POST only. Ends this user's sessions everywhere (the version is bumped)."""
    form = EmptyForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            user = db.session.get(User, current_user.id)
            end_every_session(user)
            audit.record("sign_out", actor=user)
            db.session.commit()
        end_session()
    return redirect(url_for(f"{request.blueprint}.sign_in", signed_out=1))


def form_expired(error):
    """A POST without a valid CSRF token (missing, expired, or from another site)."""
    if "tenant" not in g:  # CSRF is checked before the tenant is resolved: brand the page
        try:
            resolve_tenant()
        except HTTPException:
            g.tenant = None
    return render_template("auth/form_expired.html", area=request.blueprint), 400


def add_sign_in_routes(bp: Blueprint) -> None:
    """Sign-in, reset, account and sign-out pages, plus each second-factor method's."""
    from .account import account, change_password, sign_out_everywhere
    from .reset import request_reset, reset_password

    bp.add_url_rule("/sign-in", "sign_in", sign_in, methods=["GET", "POST"])
    bp.add_url_rule("/sign-in/second-factor", "second_factor", second_factor_page)
    bp.add_url_rule("/sign-out", "sign_out", sign_out, methods=["POST"])
    bp.add_url_rule("/reset", "request_reset", request_reset, methods=["GET", "POST"])
    bp.add_url_rule("/reset/<token>", "reset_password", reset_password, methods=["GET", "POST"])
    bp.add_url_rule("/account", "account", account)
    bp.add_url_rule("/account/password", "change_password", change_password, methods=["POST"])
    bp.add_url_rule(
        "/account/sign-out-everywhere", "sign_out_everywhere", sign_out_everywhere, methods=["POST"]
    )
    bp.register_error_handler(CSRFError, form_expired)
    bp.register_error_handler(429, rate_limited)
    routes = [route for method in second_factor.methods() for route in method.routes]
    for route in [*routes, *second_factor.pages()]:
        bp.add_url_rule(route.rule, route.endpoint, route.view, methods=list(route.methods))


def shell_context() -> dict[str, object]:
    """Template helpers for signed-in pages."""
    return {"current_membership": g.get("membership")}
