"""Signed, expiring links to cancel or reschedule a booking.

The token names the booking, its clinic and the action; it is single-use because the
action only applies to a *confirmed* booking, and using it changes that state in a
conditional UPDATE. Nothing about the visit itself is in the URL.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..models import Booking

ACTIONS = ("cancel", "reschedule")


class LinkError(Exception):
    def __init__(self, reason: str) -> None:  # "expired" | "invalid"
        super().__init__(reason)
        self.reason = reason


def _serializer(action: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=f"booking-{action}")


def make_token(booking: Booking, action: str) -> str:
    assert action in ACTIONS
    return _serializer(action).dumps({"b": booking.id, "t": booking.tenant_id})


def read_token(token: str, action: str) -> dict[str, Any]:
    max_age = int(current_app.config.get("BOOKING_LINK_MAX_AGE", 90 * 86_400))
    try:
        data = _serializer(action).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkError("expired") from exc
    except BadSignature as exc:
        raise LinkError("invalid") from exc
    if not isinstance(data, dict) or not isinstance(data.get("b"), int):
        raise LinkError("invalid")
    return data
