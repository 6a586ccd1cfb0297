"""Visitors' data requests: asked on the site, confirmed from the e-mail, answered in
the studio.

* `ask` stores the request *unconfirmed* and e-mails a link to the address given; only
  its owner can confirm it, so nobody can ask for someone else's data in their name.
* The link opens a page whose button confirms (by POST: mail scanners follow links
  and confirm nothing). It is signed, names the clinic and expires
  (PRIVACY_REQUEST_LINK_MAX_AGE).
* `confirm` opens the request with its legal due date (meridian.privacy.deadlines) and
  tells the clinic by e-mail, without the visitor's words. Unconfirmed requests never
  reach the studio, and go with the retention purge.
* `answer` closes it with a note; the studio audits every view and answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import update

from .. import mail
from ..extensions import db
from ..models import (
    DataRequest,
    Tenant,
    utcnow,
)
from ..urls import origin_for, tenant_url
from . import versions
from .deadlines import due_on

KIND_TEXT = {
    "copy": "a copy of their data",
    "correct": "a correction",
    "erase": "erasure of their data",
}


class LinkError(Exception):
    def __init__(self, reason: str) -> None:  # "expired" | "invalid"
        super().__init__(reason)
        self.reason = reason


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="privacy-request-confirm")


def confirm_token(row: DataRequest) -> str:
    return _serializer().dumps({"r": row.id, "t": row.tenant_id})


def read_token(token: str) -> dict[str, int]:
    try:
        data: Any = _serializer().loads(
            token, max_age=current_app.config["PRIVACY_REQUEST_LINK_MAX_AGE"]
        )
    except SignatureExpired as exc:
        raise LinkError("expired") from exc
    except BadSignature as exc:
        raise LinkError("invalid") from exc
    if not (
        isinstance(data, dict) and isinstance(data.get("r"), int) and isinstance(data.get("t"), int)
    ):
        raise LinkError("invalid")
    return data


def ask(tenant: Tenant, *, kind: str, name: str, email: str, details: str) -> DataRequest:
    """Store an unconfirmed request and e-mail its confirmation link (the caller commits)."""
    row = DataRequest(
        tenant_id=tenant.id,
        kind=kind,
        name=name,
        email=email,
        details=details,
        status="unconfirmed",
        **versions.consent_fields(tenant, "request"),
    )
    db.session.add(row)
    db.session.flush()
    mail.queue(
        tenant,
        "privacy-request-confirm",
        email,
        "privacy_request_confirm",
        key=f"privacy-request-confirm:{row.id}",
        request=row,
        what=KIND_TEXT[kind],
        confirm_url=tenant_url(tenant, "privacy.confirm", token=confirm_token(row)),
        hours=current_app.config["PRIVACY_REQUEST_LINK_MAX_AGE"] // 3600,
    )
    return row


def local_day(tenant: Tenant, moment: datetime):
    location = tenant.primary_location
    zone = ZoneInfo(location.timezone) if location is not None else ZoneInfo("UTC")
    return moment.astimezone(zone).date()


def confirm(tenant: Tenant, row: DataRequest) -> bool:
    """unconfirmed -> open with its due date, once (a conditional UPDATE); the clinic is
    told by e-mail. False if it was already confirmed."""
    now = utcnow()
    location = tenant.primary_location
    due = due_on(
        local_day(tenant, now),
        tenant.country,
        location.holiday_subdivision if location is not None else "",
    )
    changed = db.session.execute(
        update(DataRequest)
        .where(
            DataRequest.id == row.id,
            DataRequest.tenant_id == tenant.id,
            DataRequest.status == "unconfirmed",
        )
        .values(status="open", confirmed_at=now, due_on=due)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(row)
    if changed != 1:
        return False
    clinic_address = next((place.email for place in tenant.locations if place.email), "")
    if clinic_address:
        mail.queue(
            tenant,
            "privacy-request-open",
            clinic_address,
            "privacy_request_open",
            key=f"privacy-request-open:{row.id}",
            request=row,
            what=KIND_TEXT[row.kind],
            studio_url=origin_for(tenant.primary_host) + f"/studio/requests/{row.id}",
        )
    return True


def answer(row: DataRequest, *, by: str, note: str) -> bool:
    """open -> answered, once; False if it was not open."""
    changed = db.session.execute(
        update(DataRequest)
        .where(
            DataRequest.id == row.id,
            DataRequest.tenant_id == row.tenant_id,
            DataRequest.status == "open",
        )
        .values(status="answered", answered_at=utcnow(), answered_by=by[:254], answer_note=note)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(row)
    return changed == 1
