"""Security notices: when a password or a second factor changes, the account's owner
is told by e-mail at once (through the outbox, in the same transaction as the change),
so a change made by someone else does not go unnoticed.

`security_event(action, user, **details)` writes the audit event and queues the notice;
call it instead of `audit.record` for the actions in `NOTICES`.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, request

from .. import mail
from ..models import User
from . import audit
from .links import area_url

#: action -> what the e-mail says happened (completing "… on your account").
NOTICES = {
    "password.changed": "Your password was changed",
    "password_reset.completed": "Your password was reset with a link sent to this address",
    "second_factor.added": "A second sign-in step was added",
    "second_factor.removed": "A second sign-in step was removed",
    "second_factor.recovery_codes_made": "New recovery codes were made (the old ones stopped working)",
}
METHODS = {"totp": "an authenticator app", "passkey": "a passkey"}


def security_event(action: str, user: User, **details: Any) -> None:
    audit.record(action, actor=user, **details)
    tenant = g.get("tenant") if has_request_context() else None
    area = request.blueprint if has_request_context() and request.blueprint else "studio"
    what = NOTICES[action]
    method = METHODS.get(details.get("method", ""))
    if method:
        what += f" ({method}{', “' + details['name'] + '”' if details.get('name') else ''})"
    mail.queue(
        tenant,
        "security-notice",
        user.email,
        "security_notice",
        user=user,
        what=what,
        where=tenant.name + "'s studio" if tenant is not None else "the Meridian admin",
        security_url=area_url(tenant, f"{area}.security"),
        address=audit.client_address(),
    )
