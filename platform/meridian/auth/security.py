"""The account's security page (both areas): authenticator app, recovery codes, passkeys.

Removing a factor or making new recovery codes asks for the password again. A person who
must have a second factor (platform admins; staff of a clinic that requires one) cannot
remove their last one. Every change is in the audit log.
"""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Passkey, User
from . import passkeys, passwords, recovery, second_factor, totp
from .access import account_required
from .factor_forms import NewPasskeyForm, PasswordConfirmForm, TotpCodeForm
from .factor_pages import TotpSetup, area, recovery_codes_page
from .forms import EmptyForm
from .notices import security_event
from .second_factor import Route

WRONG_PASSWORD = "That password is not right."  # noqa: S105  (a message)


def _me() -> User:
    user = db.session.get(User, current_user.id)
    assert user is not None  # the session loader found it a moment ago
    return user


def _back(message: str):
    flash(message)
    return redirect(url_for(f"{area()}.security"))


def _page(status: int = 200, **forms):
    user = _me()
    context = {
        "user": user,
        "has_totp": totp.is_enrolled(user),
        "codes_left": recovery.remaining(user),
        "passkeys": passkeys.passkeys_of(user),
        "required": second_factor.required_for(user),
        "confirm_form": PasswordConfirmForm(),
        "passkey_form": NewPasskeyForm(),
        "remove_form": EmptyForm(),
        "area": area(),
    }
    context.update(forms)
    return render_template("auth/security.html", **context), status


def _keeps_a_factor(user: User, without: str) -> bool:
    """Would the user still have a second factor without this method?"""
    return any(
        m.counts_as_factor and m.key != without for m in second_factor.enrolled_methods(user)
    )


@account_required
def security():
    return _page()


@account_required
def totp_setup():
    """Add (or replace) the authenticator app: scan, then type its first code."""
    user = _me()
    setup = TotpSetup(user, TotpCodeForm(), restart=request.method == "GET")
    if setup.enrolled:
        security_event("second_factor.added", user, method="totp")
        return _codes_if_first(user) or _back("Your authenticator app is set up.")
    if setup.enrolled is False:
        setup.form.code.errors.append(
            "That code is not right. Please try the code your app shows now."
        )
    return setup.page("totp_setup")


def _codes_if_first(user: User):
    """Commit; and for a first second factor, its recovery codes (shown this once)."""
    codes = None if recovery.has_codes(user) else recovery.regenerate(user)
    db.session.commit()
    return recovery_codes_page(codes, url_for(f"{area()}.security")) if codes else None


def _password_confirmed(user: User, form: PasswordConfirmForm) -> bool:
    if not form.validate_on_submit():
        return False
    if passwords.verify_password(user, form.password.data):
        return True
    form.password.errors.append(WRONG_PASSWORD)
    return False


@account_required
def totp_remove():
    user = _me()
    form = PasswordConfirmForm()
    if not _password_confirmed(user, form):
        return _page(400, confirm_form=form, confirm_for="totp")
    if second_factor.required_for(user) and not _keeps_a_factor(user, "totp"):
        return _back("Add a passkey first: this account must keep a second factor.")
    if totp.remove(user):
        security_event("second_factor.removed", user, method="totp")
        db.session.commit()
    return _back("The authenticator app is removed from your account.")


@account_required
def recovery_regenerate():
    user = _me()
    form = PasswordConfirmForm()
    if not _password_confirmed(user, form):
        return _page(400, confirm_form=form, confirm_for="recovery")
    codes = recovery.regenerate(user)
    security_event("second_factor.recovery_codes_made", user)
    db.session.commit()
    return recovery_codes_page(codes, url_for(f"{area()}.security"))


@account_required
def passkey_options():
    """POST (CSRF): options for navigator.credentials.create(), as JSON."""
    form = EmptyForm()
    if not form.validate_on_submit():
        return jsonify(error="Please reload the page and try again."), 400
    return current_app.response_class(
        passkeys.registration_options(_me()), mimetype="application/json"
    )


@account_required
def passkey_add():
    user = _me()
    form = NewPasskeyForm()
    if form.validate_on_submit():
        try:
            passkey = passkeys.register(user, form.credential.data, form.name.data.strip())
        except passkeys.PasskeyError as problem:
            form.credential.errors.append(str(problem))
        else:
            security_event("second_factor.added", user, method="passkey", name=passkey.name)
            return _codes_if_first(user) or _back(f"Your passkey “{passkey.name}” is added.")
    return _page(400, passkey_form=form)


@account_required
def passkey_remove(passkey_id: int):
    user = _me()
    passkey = db.session.scalars(
        select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user.id)
    ).first()
    form = EmptyForm()
    if passkey is None or not form.validate_on_submit():
        return _back("That passkey could not be removed. Please try again.")
    others = [k for k in passkeys.passkeys_of(user) if k.id != passkey.id]
    if second_factor.required_for(user) and not others and not _keeps_a_factor(user, "passkey"):
        return _back("Add an authenticator app first: this account must keep a second factor.")
    db.session.delete(passkey)
    security_event("second_factor.removed", user, method="passkey", name=passkey.name)
    db.session.commit()
    return _back(f"The passkey “{passkey.name}” is removed.")


for _route in (
    Route("/account/security", "security", security, ("GET",)),
    Route("/account/security/totp", "totp_setup", totp_setup),
    Route("/account/security/totp/remove", "totp_remove", totp_remove, ("POST",)),
    Route(
        "/account/security/recovery-codes", "recovery_regenerate", recovery_regenerate, ("POST",)
    ),
    Route("/account/security/passkeys/options", "passkey_options", passkey_options, ("POST",)),
    Route("/account/security/passkeys", "passkey_add", passkey_add, ("POST",)),
    Route(
        "/account/security/passkeys/<int:passkey_id>/remove",
        "passkey_remove",
        passkey_remove,
        ("POST",),
    ),
):
    second_factor.add_page(_route)
