"""Pages shared by the sign-in's second-factor steps (factor_views.py) and the account's
security page (security.py): setting up an authenticator app, and showing new recovery
codes once. Both are mounted on the studio and the admin blueprint (`area`)."""

from __future__ import annotations

from flask import render_template, request, session, url_for

from ..models import User
from . import totp
from .factor_forms import TotpCodeForm


def area() -> str:
    """The blueprint serving this request: "studio" or "admin"."""
    return request.blueprint or "studio"


def recovery_codes_page(codes: list[str], next_url: str) -> str:
    """New recovery codes, shown this once."""
    return render_template("auth/recovery_codes.html", codes=codes, next_url=next_url, area=area())


class TotpSetup:
    """One attempt at adding an authenticator app. The secret being set up waits in the
    session, encrypted, until the person types a code their app made from it.

    `restart` makes a new secret (the security page does on every GET); otherwise a
    secret is only made when none is waiting. `enrolled` is True once the code matched
    (the credential is written; the caller audits and commits), False after a wrong
    code, and None when no code was sent."""

    def __init__(self, user: User, form: TotpCodeForm, *, restart: bool = False) -> None:
        self.user, self.form = user, form
        self.enrolled: bool | None = None
        secret = totp.decrypt(session.get(totp.SETUP_KEY, ""))
        if secret is None or restart:
            secret = totp.new_secret()
            session[totp.SETUP_KEY] = totp.encrypt(secret)
        elif form.validate_on_submit():
            step = totp.matching_step(secret, form.code.data, 0)
            self.enrolled = step is not None
            if step is not None:
                session.pop(totp.SETUP_KEY, None)
                totp.enrol(user, secret, step)
        self.secret = secret

    def page(self, endpoint: str) -> str:
        """The QR code and the form again (the code field is never filled back in)."""
        self.form.code.data = ""
        return render_template(
            "auth/totp_setup.html",
            form=self.form,
            secret=self.secret,
            qr=totp.qr_svg(totp.provisioning_uri(self.secret, self.user)),
            action=url_for(f"{area()}.{endpoint}"),
            area=area(),
        )
