"""Account settings for whoever is signed in: change password, sign out everywhere.

Mounted on both the studio and the admin. Second-factor settings join this page from
the twofactor work (see meridian.auth.second_factor).
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..models import User, utcnow
from . import audit, passwords
from .access import account_required
from .forms import ChangePasswordForm, EmptyForm
from .notices import security_event
from .sessions import end_every_session, end_session, start_session


def _render(form: ChangePasswordForm, status: int = 200):
    page = render_template(
        "auth/account.html",
        form=form,
        everywhere_form=EmptyForm(),
        area=request.blueprint,
        changed=request.args.get("changed"),
    )
    return page, status


@account_required
def account():
    form = ChangePasswordForm()
    form.account_email = current_user.email
    return _render(form)


@account_required
def change_password():
    """Needs the current password. Every other session of this user ends; this one
    continues in a fresh session."""
    user = db.session.get(User, current_user.id)
    form = ChangePasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        if not passwords.verify_password(user, form.current_password.data):
            form.current_password.errors.append("That is not your current password.")
            audit.record("password.change_failed", actor=user)
            db.session.commit()
            return _render(form, 422)
        user.password_hash = passwords.hash_password(form.new_password.data)
        user.password_changed_at = utcnow()
        end_every_session(user)
        security_event("password.changed", user)
        db.session.commit()
        start_session(user)
        return redirect(url_for(f"{request.blueprint}.account", changed=1))
    return _render(form, 422)


@account_required
def sign_out_everywhere():
    form = EmptyForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        end_every_session(user)
        audit.record("sign_out.everywhere", actor=user)
        db.session.commit()
        end_session()
    return redirect(url_for(f"{request.blueprint}.sign_in", signed_out=1))
