"""The second-factor steps of the sign-in (TOTP, recovery code, passkey), and the passkey
sign-in without a password. Mounted on the studio and the admin blueprint alike
(`area` below is whichever served the request).

Every attempt is rate limited per account and per client address, and every failure is
written to the audit log; the person sees a message next to the field.
"""

from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, request, url_for

from ..extensions import db, limiter
from . import audit, passkeys, recovery, second_factor, totp
from .access import anonymous_allowed, pending_sign_in
from .factor_forms import PasskeyForm, RecoveryCodeForm, TotpCodeForm
from .factor_pages import TotpSetup, area, recovery_codes_page
from .notices import security_event
from .second_factor import Route, SecondFactorMethod
from .sessions import allowed_here
from .signin import complete_sign_in, pending_user, start_signed_in

WRONG_CODE = "That code is not right, or it was used already. Please try the next one."


def _limit() -> str:
    return current_app.config["AUTH_SECOND_FACTOR_RATE_LIMIT"]


def _limits_off() -> bool:
    return not current_app.config["RATE_LIMITS_ENABLED"]


def _account_key() -> str:
    """Attempts count per pending account (whatever address they come from)."""
    user = pending_user()
    return f"second-factor:user:{user.id}" if user is not None else "second-factor:none"


def _limited(view):
    """Per account and per client address, on POST only."""
    per_address = limiter.limit(_limit, methods=["POST"], exempt_when=_limits_off)
    per_account = limiter.limit(
        _limit, key_func=_account_key, methods=["POST"], exempt_when=_limits_off
    )
    return per_account(per_address(view))


def _failed(user, method: str) -> None:
    audit.record("sign_in.second_factor_failed", actor=user, method=method)
    db.session.commit()


@pending_sign_in
@_limited
def sign_in_totp():
    user = pending_user()
    form = TotpCodeForm()
    if form.validate_on_submit():
        if totp.verify(user, form.code.data):
            return complete_sign_in(user, method="totp")
        _failed(user, "totp")
        form.code.errors.append(WRONG_CODE)
    form.code.data = ""
    return render_template("auth/totp_verify.html", form=form, area=area())


@pending_sign_in
@_limited
def sign_in_totp_setup():
    """A required second factor set up in the middle of the sign-in (a new platform admin,
    or staff of a clinic that requires one): then the session starts and the recovery
    codes are shown once."""
    user = pending_user()
    setup = TotpSetup(user, TotpCodeForm())
    if setup.enrolled:
        codes = recovery.regenerate(user)
        security_event("second_factor.added", user, method="totp", during="sign_in")
        return recovery_codes_page(codes, start_signed_in(user, method="totp"))
    if setup.enrolled is False:
        _failed(user, "totp_setup")
        setup.form.code.errors.append(WRONG_CODE)
    return setup.page("sign_in_totp_setup")


@pending_sign_in
@_limited
def sign_in_recovery():
    user = pending_user()
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        if recovery.spend(user, form.code.data):
            left = recovery.remaining(user)
            audit.record("sign_in.recovery_code_used", actor=user, remaining=left)
            return complete_sign_in(user, method="recovery_code")
        _failed(user, "recovery_code")
        form.code.errors.append("That recovery code is not right, or it was used already.")
    form.code.data = ""
    return render_template("auth/recovery_verify.html", form=form, area=area())


@anonymous_allowed
@_limited
def sign_in_passkey():
    """GET: the passkey step of a pending sign-in. POST: the device's answer, for a
    pending sign-in or a sign-in with a passkey alone (from the sign-in page)."""
    pending = pending_user()
    form = PasskeyForm()
    if request.method == "GET":
        if pending is None:
            return redirect(url_for(f"{area()}.sign_in"))
        return render_template("auth/passkey_verify.html", form=form, error=None, area=area())
    error = "Your device did not answer. Please try again."
    if form.validate_on_submit():
        try:
            user, _passkey = passkeys.authenticate(form.credential.data, pending)
        except passkeys.PasskeyError as problem:
            error = str(problem)
        else:
            if allowed_here(user):
                return complete_sign_in(user, method="passkey")
            error = "That passkey's account cannot sign in here."
        _failed(pending, "passkey")
    template = "auth/passkey_verify.html" if pending is not None else "auth/passkey_failed.html"
    return render_template(template, form=PasskeyForm(), error=error, area=area()), 400


@anonymous_allowed
def sign_in_passkey_options():
    """POST (CSRF): options for navigator.credentials.get(), as JSON."""
    form = PasskeyForm()
    form.credential.validators = []
    if not form.validate_on_submit():
        return jsonify(error="Please reload the page and try again."), 400
    return current_app.response_class(
        passkeys.authentication_options(pending_user()), mimetype="application/json"
    )


second_factor.register(
    SecondFactorMethod(
        key="passkey",
        label="Passkey (fingerprint, face or security key)",
        is_enrolled=passkeys.is_enrolled,
        verify_endpoint="sign_in_passkey",
        routes=(
            Route("/sign-in/passkey", "sign_in_passkey", sign_in_passkey),
            Route(
                "/sign-in/passkey/options",
                "sign_in_passkey_options",
                sign_in_passkey_options,
                ("POST",),
            ),
        ),
    )
)
second_factor.register(
    SecondFactorMethod(
        key="totp",
        label="Authenticator app",
        is_enrolled=totp.is_enrolled,
        verify_endpoint="sign_in_totp",
        enrol_endpoint="sign_in_totp_setup",
        routes=(
            Route("/sign-in/totp", "sign_in_totp", sign_in_totp),
            Route("/sign-in/totp/setup", "sign_in_totp_setup", sign_in_totp_setup),
        ),
    )
)
second_factor.register(
    SecondFactorMethod(
        key="recovery",
        label="A recovery code",
        is_enrolled=recovery.has_codes,
        verify_endpoint="sign_in_recovery",
        routes=(Route("/sign-in/recovery", "sign_in_recovery", sign_in_recovery),),
        counts_as_factor=False,
    )
)
