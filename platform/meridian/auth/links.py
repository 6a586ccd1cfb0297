"""Signed, expiring, single-use links for password reset and staff invitations.

Links are always built on the clinic's primary domain (or the first platform host for
admins), never from the request's Host, so a forged Host cannot send a link elsewhere.

* Reset: the token names the user and a fingerprint of their current password hash and
  session version. Setting a new password changes both, so a used link is dead.
* Invitation: the token names an `Invitation` row and carries a random secret whose
  SHA-256 is stored there; accepting marks the row once.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..models import Tenant, User
from ..urls import origin_for


class LinkError(Exception):
    def __init__(self, reason: str) -> None:  # "expired" | "invalid" | "used"
        super().__init__(reason)
        self.reason = reason


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=f"accounts-{purpose}")


def dumps(purpose: str, data: dict[str, Any]) -> str:
    return _serializer(purpose).dumps(data)


def loads(purpose: str, token: str, max_age: int) -> dict[str, Any]:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkError("expired") from exc
    except BadSignature as exc:
        raise LinkError("invalid") from exc
    if not isinstance(data, dict):
        raise LinkError("invalid")
    return data


def fingerprint(user: User) -> str:
    material = f"{user.id}:{user.password_hash or ''}:{user.session_version}"
    return hashlib.sha256(material.encode()).hexdigest()[:24]


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def area_url(tenant: Tenant | None, endpoint: str, **values: Any) -> str:
    """An absolute URL on the clinic's primary domain, or on the platform host."""
    host = tenant.primary_host if tenant is not None else current_app.config["PLATFORM_HOSTS"][0]
    path = current_app.url_map.bind(host, script_name="/").build(endpoint, values)
    return origin_for(host) + path
