"""Authenticator apps (TOTP, RFC 6238) as a second factor.

* The secret is made on the server, shown once as a QR code drawn on the server (segno,
  inline SVG: no image host, nothing for the CSP to allow) and as text, and stored
  encrypted (Fernet, key derived from SECRET_KEY with HKDF).
* A code is accepted for the current 30-second step and one step either side (clock
  drift), and never twice: the step of the last accepted code is kept and raised with a
  conditional UPDATE, so two requests racing with the same code cannot both win.
* Until the first correct code the secret lives only in the (signed) session, encrypted.
"""

from __future__ import annotations

import base64
import hmac
import time

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app, g
from markupsafe import Markup
from sqlalchemy import select, update

from ..extensions import db
from ..models import TotpCredential, User

SETUP_KEY = "totp_setup"
DIGITS = 6


def _fernet() -> Fernet:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"meridian", info=b"totp-secret")
    return Fernet(base64.urlsafe_b64encode(key.derive(secret)))


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str | None:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def credential_of(user: User) -> TotpCredential | None:
    return db.session.scalars(
        select(TotpCredential).where(TotpCredential.user_id == user.id)
    ).first()


def new_secret() -> str:
    return pyotp.random_base32()


def is_enrolled(user: User) -> bool:
    return credential_of(user) is not None


def issuer() -> str:
    tenant = g.get("tenant")
    return f"{tenant.name} (Meridian)" if tenant is not None else "Meridian admin"


def provisioning_uri(secret: str, user: User) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer())


def qr_svg(uri: str) -> Markup:
    """The QR code as inline SVG, labelled for screen readers."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")
    labelled = svg.replace("<svg ", '<svg role="img" aria-label="QR code for your app" ', 1)
    return Markup(labelled)  # noqa: S704 - segno's own SVG, no user input unescaped


def normalise_code(raw: str | None) -> str:
    return "".join((raw or "").split())


def matching_step(secret: str, code: str, after_step: int, now: float | None = None) -> int | None:
    """The time step whose code is `code` (now, or one step either side), if newer than
    `after_step`; else None."""
    code = normalise_code(code)
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(time.time() if now is None else now)
    for step in (current - 1, current, current + 1):
        if step > after_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify(user: User, code: str) -> bool:
    """True, once, for a right code from the user's app (the caller commits)."""
    credential = credential_of(user)
    secret = decrypt(credential.secret_encrypted) if credential is not None else None
    if credential is None or secret is None:
        return False
    step = matching_step(secret, code, credential.last_step)
    if step is None:
        return False
    claimed = db.session.execute(
        update(TotpCredential)
        .where(TotpCredential.id == credential.id, TotpCredential.last_step < step)
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def enrol(user: User, secret: str, step: int) -> TotpCredential:
    """Store a secret confirmed by the code of `step` (which is thereby used up),
    replacing any earlier app."""
    existing = credential_of(user)
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    credential = TotpCredential(user_id=user.id, secret_encrypted=encrypt(secret), last_step=step)
    db.session.add(credential)
    return credential


def remove(user: User) -> bool:
    credential = credential_of(user)
    if credential is None:
        return False
    db.session.delete(credential)
    return True
