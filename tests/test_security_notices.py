"""A password or second-factor change e-mails the account's owner at once (through the
outbox, in the change's transaction), saying what changed and where to review it, and
never carrying a secret."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from meridian.extensions import db
from meridian.models import OutboxMessage

from .factories import PASSWORD, csrf_token
from .test_second_factor import (
    CODES_SHOWN,
    SECRET_SHOWN,
    code_at,
    with_recovery_codes,
    with_totp,
)


@pytest.fixture
def clinic(make_tenant):
    return make_tenant("clinic-a", name="Alpha Clinic")


def notices(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "security-notice")
            .order_by(OutboxMessage.id)
        ).all()
        db.session.expunge_all()
        return rows


def test_adding_an_app_tells_the_owner_without_the_secret_or_codes(app, clinic, signed_in_client):
    client = signed_in_client(clinic, "owner")
    setup = client.get("/studio/account/security/totp")
    secret = SECRET_SHOWN.search(setup.text).group(1).replace(" ", "")
    done = client.post(
        "/studio/account/security/totp",
        data={"csrf_token": csrf_token(setup.text), "code": code_at(secret)},
    )
    codes = CODES_SHOWN.findall(done.text)
    [notice] = notices(app)
    assert notice.recipient == client.user.email and notice.tenant_id == clinic.id
    assert notice.subject == "A second sign-in step was added (an authenticator app): Alpha Clinic"
    assert "http://clinic-a.test/studio/account/security" in notice.body_text
    assert secret not in notice.body_text and not any(c in notice.body_text for c in codes)


def test_removing_the_app_and_new_codes_are_told_too(app, clinic, signed_in_client):
    client = signed_in_client(clinic, "editor")
    with_totp(app, client.user)
    with_recovery_codes(app, client.user)
    refused = client.post(
        "/studio/account/security/totp/remove",
        data={"csrf_token": client.csrf, "password": "wrong wrong wrong"},
    )
    assert refused.status_code == 400 and notices(app) == []  # nothing changed, nothing said
    client.post(
        "/studio/account/security/totp/remove",
        data={"csrf_token": client.csrf, "password": PASSWORD},
    )
    client.post(
        "/studio/account/security/recovery-codes",
        data={"csrf_token": client.csrf, "password": PASSWORD},
    )
    subjects = [n.subject for n in notices(app)]
    assert subjects == [
        "A second sign-in step was removed (an authenticator app): Alpha Clinic",
        "New recovery codes were made (the old ones stopped working): Alpha Clinic",
    ]


def test_a_password_change_is_told_on_the_platform_for_an_admin(app, admin_client):
    client = admin_client()
    page = client.get("/admin/account")
    new = "copper kettle morning tide"
    response = client.post(
        "/admin/account/password",
        data={
            "csrf_token": csrf_token(page.text),
            "current_password": PASSWORD,
            "new_password": new,
            "confirm": new,
        },
    )
    assert response.status_code == 302, response.text
    [notice] = notices(app)
    assert notice.tenant_id is None and notice.subject == "Your password was changed: Meridian"
    assert "/admin/account/security" in notice.body_text and new not in notice.body_text
