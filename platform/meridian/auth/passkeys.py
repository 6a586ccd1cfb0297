"""Passkeys (WebAuthn, through the `webauthn` package): a second factor, or a sign-in on
their own.

* The relying party is the host the page is served on (a clinic's primary domain, or the
  platform host), so a passkey made for one clinic is only usable there.
* Each ceremony's challenge lives in the session for a few minutes and is used once.
* A passkey sign-in without a password asks the device to verify the user (PIN or
  biometrics): possession plus that is two factors. As a second factor after a password,
  presence is enough.
* The browser side is static/js/passkey.js (ours, under the strict CSP): it asks
  `options_url` for the options, runs the ceremony and posts the result in a form field.
"""

from __future__ import annotations

import json
import time
from typing import Any

from flask import current_app, g, request, session
from sqlalchemy import select
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ..extensions import db
from ..models import Passkey, User, utcnow

CHALLENGE_KEY = "webauthn"
CHALLENGE_SECONDS = 300


class PasskeyError(Exception):
    """A ceremony that cannot be accepted; the message is for the person."""


def rp_id() -> str:
    return g.host


def rp_name() -> str:
    tenant = g.get("tenant")
    return f"{tenant.name} studio" if tenant is not None else "Meridian admin"


def expected_origin() -> str:
    return f"{current_app.config['PUBLIC_SCHEME']}://{request.host}"


def passkeys_of(user: User, here_only: bool = True) -> list[Passkey]:
    query = select(Passkey).where(Passkey.user_id == user.id)
    if here_only:
        query = query.where(Passkey.rp_id == rp_id())
    return list(db.session.scalars(query.order_by(Passkey.id)))


def is_enrolled(user: User) -> bool:
    return bool(passkeys_of(user))


def _remember(kind: str, challenge: bytes, user: User | None) -> None:
    session[CHALLENGE_KEY] = {
        "kind": kind,
        "c": bytes_to_base64url(challenge),
        "u": user.id if user is not None else None,
        "at": int(time.time()),
    }


def _take_challenge(kind: str) -> tuple[bytes, int | None]:
    state = session.pop(CHALLENGE_KEY, None)
    if (
        not isinstance(state, dict)
        or state.get("kind") != kind
        or not isinstance(state.get("at"), int)
        or time.time() - state["at"] > CHALLENGE_SECONDS
    ):
        raise PasskeyError("That took too long. Please try again.")
    return base64url_to_bytes(state["c"]), state.get("u")


def registration_options(user: User) -> str:
    """JSON for navigator.credentials.create(); remembers the challenge."""
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name=rp_name(),
        user_name=user.email,
        user_id=f"meridian-user-{user.id}".encode(),
        user_display_name=user.display_name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=key.credential_id) for key in passkeys_of(user)
        ],
    )
    _remember("create", options.challenge, user)
    return options_to_json(options)


def register(user: User, credential_json: str, name: str) -> Passkey:
    """Verify a new credential for `user` and store it (the caller commits)."""
    challenge, user_id = _take_challenge("create")
    if user_id != user.id:
        raise PasskeyError("That passkey was made for another sign-in. Please try again.")
    try:
        verified = verify_registration_response(
            credential=_parse(credential_json),
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=expected_origin(),
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyError(
            "Your device's answer could not be checked. Please try again."
        ) from error
    taken = db.session.scalars(
        select(Passkey.id).where(Passkey.credential_id == verified.credential_id)
    ).first()
    if taken is not None:
        raise PasskeyError("That passkey is already registered.")
    passkey = Passkey(
        user_id=user.id,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        rp_id=rp_id(),
        name=name,
    )
    db.session.add(passkey)
    return passkey


def authentication_options(user: User | None) -> str:
    """JSON for navigator.credentials.get(): the user's passkeys here, or (no user yet)
    any discoverable passkey for this host."""
    allowed = (
        [PublicKeyCredentialDescriptor(id=k.credential_id) for k in passkeys_of(user)]
        if user
        else []
    )
    options = generate_authentication_options(
        rp_id=rp_id(),
        allow_credentials=allowed,
        user_verification=(
            UserVerificationRequirement.PREFERRED if user else UserVerificationRequirement.REQUIRED
        ),
    )
    _remember("get", options.challenge, user)
    return options_to_json(options)


def authenticate(credential_json: str, expected_user: User | None) -> tuple[User, Passkey]:
    """Check a signed challenge; the passkey's user (who must be `expected_user` when
    one is given). Raises PasskeyError."""
    challenge, user_id = _take_challenge("get")
    if expected_user is not None and user_id != expected_user.id:
        raise PasskeyError("Please start the sign-in again.")
    try:
        credential = parse_authentication_credential_json(_parse(credential_json))
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyError("Your device's answer could not be read. Please try again.") from error
    passkey = db.session.scalars(
        select(Passkey).where(Passkey.credential_id == credential.raw_id, Passkey.rp_id == rp_id())
    ).first()
    if passkey is None or (expected_user is not None and passkey.user_id != expected_user.id):
        raise PasskeyError("That passkey is not registered for this account here.")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=expected_origin(),
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=expected_user is None,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyError(
            "Your device's answer could not be checked. Please try again."
        ) from error
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = utcnow()
    user = db.session.get(User, passkey.user_id)
    assert user is not None  # the foreign key
    return user, passkey


def _parse(raw: str) -> dict[str, Any]:
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("not an object")
    return data
