"""Password reset by e-mail: ask for a link, follow it once, choose a new password.

The request page gives the same answer whether or not the address has an account here.
Only members of this clinic (or platform admins, on the platform host) get a link.
"""

from __future__ import annotations

from flask import current_app, g, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import mail
from ..extensions import db
from ..models import User, normalise_email, utcnow
from . import audit, links, passwords
from .access import anonymous_allowed
from .forms import NewPasswordForm, ResetRequestForm
from .notices import security_event
from .ratelimit import attempts_limited
from .sessions import allowed_here, end_every_session, host_key

PURPOSE = "password-reset"


def _user_for(email: str) -> User | None:
    user = db.session.scalars(select(User).where(User.email == normalise_email(email))).first()
    return user if user is not None and allowed_here(user) else None


@attempts_limited("reset", every_attempt=True)
@anonymous_allowed
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = _user_for(form.email.data)
        if user is not None:
            token = links.dumps(
                PURPOSE, {"u": user.id, "f": links.fingerprint(user), "h": host_key()}
            )
            url = links.area_url(
                g.get("tenant"), f"{request.blueprint}.reset_password", token=token
            )
            minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
            mail.queue(
                g.get("tenant"),
                "password-reset",
                user.email,
                "password_reset",
                user=user,
                reset_url=url,
                minutes=minutes,
            )
            audit.record("password_reset.requested", actor=user)
            db.session.commit()
        return redirect(url_for(f"{request.blueprint}.request_reset", sent=1))
    return render_template(
        "auth/reset_request.html", form=form, area=request.blueprint, sent=request.args.get("sent")
    )


def _user_from(token: str) -> User:
    data = links.loads(PURPOSE, token, int(current_app.config["PASSWORD_RESET_MAX_AGE"]))
    if data.get("h") != host_key() or not isinstance(data.get("u"), int):
        raise links.LinkError("invalid")
    user = db.session.get(User, data["u"])
    if user is None or not allowed_here(user):
        raise links.LinkError("invalid")
    if data.get("f") != links.fingerprint(user):
        raise links.LinkError("used")
    return user


@anonymous_allowed
def reset_password(token: str):
    """GET shows the form, POST sets the password; the link then stops working."""
    try:
        user = _user_from(token)
    except links.LinkError as error:
        page = render_template(
            "auth/link_problem.html", reason=error.reason, area=request.blueprint
        )
        return page, 400, {"Referrer-Policy": "no-referrer"}
    form = NewPasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        user.password_hash = passwords.hash_password(form.new_password.data)
        user.password_changed_at = utcnow()
        end_every_session(user)
        security_event("password_reset.completed", user)
        db.session.commit()
        return redirect(url_for(f"{request.blueprint}.sign_in", reset=1))
    page = render_template("auth/reset_password.html", form=form, area=request.blueprint, user=user)
    return page, 200, {"Referrer-Policy": "no-referrer"}
