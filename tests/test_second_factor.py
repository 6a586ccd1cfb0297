"""Second factors: authenticator app (TOTP), recovery codes, passkeys (server side; the
passkey ceremonies themselves run in Chromium in tests/browser/test_second_factor_browser.py)."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from meridian.auth import recovery, totp
from meridian.extensions import db
from meridian.models import AuditEvent, Passkey, RecoveryCode, Tenant, TotpCredential, User

from .factories import PASSWORD, PLATFORM_HOST, csrf_token, row_counts
from .test_sign_in import sign_in

SECRET_SHOWN = re.compile(r'id="totp-secret">([A-Z2-7 ]+)<')
CODES_SHOWN = re.compile(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")


@pytest.fixture
def clinic(make_tenant):
    return make_tenant("clinic-a")


def with_totp(app, user: User) -> str:
    """Give `user` an authenticator app; its secret."""
    secret = pyotp.random_base32()
    with app.test_request_context():
        totp.enrol(db.session.get(User, user.id), secret, step=0)
        db.session.commit()
    return secret


def with_recovery_codes(app, user: User) -> list[str]:
    with app.test_request_context():
        codes = recovery.regenerate(db.session.get(User, user.id))
        db.session.commit()
    return codes


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def code_at(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


# --- the code check itself -------------------------------------------------------------


def test_a_code_is_accepted_one_step_either_side_and_no_further():
    secret = pyotp.random_base32()
    now = time.time()
    current = pyotp.TOTP(secret).timecode(now)
    for offset in (-1, 0, 1):
        code = pyotp.TOTP(secret).at(now + 30 * offset)
        assert totp.matching_step(secret, code, 0, now=now) == current + offset
    for offset in (-3, -2, 2, 3):
        code = pyotp.TOTP(secret).at(now + 30 * offset)
        if code not in {pyotp.TOTP(secret).at(now + 30 * o) for o in (-1, 0, 1)}:
            assert totp.matching_step(secret, code, 0, now=now) is None


def test_a_code_is_never_accepted_twice_or_older_than_the_last():
    secret = pyotp.random_base32()
    now = time.time()
    current = pyotp.TOTP(secret).timecode(now)
    assert totp.matching_step(secret, code_at(secret), current, now=now) is None
    assert totp.matching_step(secret, code_at(secret), current - 1, now=now) == current
    assert totp.matching_step(secret, " 12 34 5 ", 0, now=now) is None
    assert totp.matching_step(secret, "١٢٣٤٥٦", 0, now=now) is None  # non-ASCII digits


def test_the_secret_is_stored_encrypted(app, make_user):
    user = make_user("ann@example.com")
    secret = with_totp(app, user)
    with app.app_context():
        stored = db.session.scalars(select(TotpCredential)).one()
        assert secret not in stored.secret_encrypted
    with app.test_request_context():
        assert totp.decrypt(stored.secret_encrypted) == secret


# --- setting up an authenticator app from the account page ------------------------------


def test_owner_sets_up_an_app_and_gets_recovery_codes_once(app, clinic, signed_in_client):
    client = signed_in_client(clinic, "owner")
    page = client.get("/studio/account/security")
    assert page.status_code == 200
    assert "Set up an authenticator app" in page.text
    setup = client.get("/studio/account/security/totp")
    assert setup.status_code == 200
    assert "<svg" in setup.text and 'aria-label="QR code for your app"' in setup.text
    secret = SECRET_SHOWN.search(setup.text).group(1).replace(" ", "")
    token = csrf_token(setup.text)

    wrong = client.post(
        "/studio/account/security/totp", data={"csrf_token": token, "code": "000000"}
    )
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.text
    with app.app_context():
        assert db.session.scalars(select(TotpCredential)).first() is None

    done = client.post(
        "/studio/account/security/totp", data={"csrf_token": token, "code": code_at(secret)}
    )
    codes = CODES_SHOWN.findall(done.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "no-store" in done.headers["Cache-Control"]
    with app.app_context():
        assert db.session.scalars(select(TotpCredential)).one().user_id == client.user.id
        stored = set(db.session.scalars(select(RecoveryCode.code_hash)))
        assert not stored & set(codes)  # hashes, not the codes
    assert "second_factor.added" in actions(app)
    assert "3 unused" not in client.get("/studio/account/security").text
    assert "10 unused recovery codes left" in client.get("/studio/account/security").text


def test_removing_the_app_needs_the_password(app, clinic, signed_in_client):
    client = signed_in_client(clinic, "editor")
    with_totp(app, client.user)
    url = "/studio/account/security/totp/remove"
    refused = client.post(url, data={"csrf_token": client.csrf, "password": "not it at all"})
    assert refused.status_code == 400
    assert "That password is not right." in refused.text
    with app.app_context():
        assert db.session.scalars(select(TotpCredential)).first() is not None
    done = client.post(url, data={"csrf_token": client.csrf, "password": PASSWORD})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(TotpCredential)).first() is None
    assert actions(app)[-1] == "second_factor.removed"


def test_an_admin_cannot_remove_their_last_second_factor(app, admin_client):
    client = admin_client()
    with_totp(app, client.user)
    response = client.post(
        "/admin/account/security/totp/remove",
        data={"csrf_token": client.csrf, "password": PASSWORD},
        follow_redirects=True,
    )
    assert "this account must keep a second factor" in response.text
    with app.app_context():
        assert db.session.scalars(select(TotpCredential)).first() is not None


def test_new_recovery_codes_replace_the_old_ones(app, clinic, signed_in_client):
    client = signed_in_client(clinic, "front_desk")
    old = with_recovery_codes(app, client.user)
    page = client.post(
        "/studio/account/security/recovery-codes",
        data={"csrf_token": client.csrf, "password": PASSWORD},
    )
    new = CODES_SHOWN.findall(page.text)
    assert len(new) == 10 and not set(new) & set(old)
    with app.app_context():
        user = db.session.get(User, client.user.id)
        assert not recovery.spend(user, old[0])
        assert recovery.spend(user, new[0])


# --- signing in with a second factor ---------------------------------------------------


def test_sign_in_with_password_then_app_code(app, client_for, clinic, make_member):
    user = make_member(clinic, "editor", email="ed@example.com")
    secret = with_totp(app, user)
    client = client_for(clinic)
    assert sign_in(client, "ed@example.com").headers["Location"].endswith("/second-factor")
    choice = client.get("/studio/sign-in/second-factor")
    assert 'href="/studio/sign-in/totp"' in choice.text
    step = client.get("/studio/sign-in/totp")
    assert client.get("/studio/").status_code == 302  # not in yet
    wrong = client.post(
        "/studio/sign-in/totp", data={"csrf_token": csrf_token(step.text), "code": "000000"}
    )
    assert "That code is not right" in wrong.text
    assert client.get("/studio/").status_code == 302
    done = client.post(
        "/studio/sign-in/totp",
        data={"csrf_token": csrf_token(step.text), "code": code_at(secret)},
    )
    assert done.status_code == 302
    assert client.get("/studio/").status_code == 200
    assert actions(app)[-3:] == [
        "sign_in.password_ok",
        "sign_in.second_factor_failed",
        "sign_in",
    ]


def test_a_code_used_once_cannot_sign_in_again(app, client_for, clinic, make_member):
    """Replay: a code seen over someone's shoulder is useless once it has been used."""
    user = make_member(clinic, "editor", email="ed@example.com")
    secret = with_totp(app, user)
    code = code_at(secret)
    first = client_for(clinic)
    sign_in(first, "ed@example.com")
    page = first.get("/studio/sign-in/totp")
    first.post("/studio/sign-in/totp", data={"csrf_token": csrf_token(page.text), "code": code})
    assert first.get("/studio/").status_code == 200
    second = client_for(clinic)
    sign_in(second, "ed@example.com")
    page = second.get("/studio/sign-in/totp")
    again = second.post(
        "/studio/sign-in/totp", data={"csrf_token": csrf_token(page.text), "code": code}
    )
    assert "That code is not right, or it was used already" in again.text
    assert second.get("/studio/").status_code == 302


def test_admin_sets_up_the_required_app_during_sign_in(app, client_for, make_user):
    make_user("root@meridian.test", platform_admin=True)
    client = client_for(PLATFORM_HOST)
    sign_in(client, "root@meridian.test", area="admin")
    setup = client.get("/admin/sign-in/totp/setup")
    assert setup.status_code == 200
    secret = SECRET_SHOWN.search(setup.text).group(1).replace(" ", "")
    assert client.get("/admin/").status_code == 302
    done = client.post(
        "/admin/sign-in/totp/setup",
        data={"csrf_token": csrf_token(setup.text), "code": code_at(secret)},
    )
    assert len(CODES_SHOWN.findall(done.text)) == 10
    assert 'href="/admin/"' in done.text
    assert client.get("/admin/").status_code == 200
    assert actions(app)[-2:] == ["second_factor.added", "sign_in"]


def test_setup_during_sign_in_needs_the_password_step_first(client_for):
    client = client_for(PLATFORM_HOST)
    response = client.get("/admin/sign-in/totp/setup")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/sign-in")


def test_a_recovery_code_signs_in_once(app, client_for, clinic, make_member):
    user = make_member(clinic, "owner", email="own@example.com")
    with_totp(app, user)
    codes = with_recovery_codes(app, user)
    for attempt in (1, 2):
        client = client_for(clinic)
        sign_in(client, "own@example.com")
        page = client.get("/studio/sign-in/recovery")
        response = client.post(
            "/studio/sign-in/recovery",
            data={"csrf_token": csrf_token(page.text), "code": codes[0].upper()},
        )
        status = client.get("/studio/").status_code
        if attempt == 1:
            assert response.status_code == 302 and status == 200
        else:
            assert "used already" in response.text and status == 302
    with app.app_context():
        assert recovery.remaining(db.session.get(User, user.id)) == 9


def test_wrong_codes_are_rate_limited_per_account(app, make_app, client_for, clinic, make_member):
    user = make_member(clinic, "editor", email="ed@example.com")
    secret = with_totp(app, user)
    limited = make_app(RATE_LIMITS_ENABLED=True, AUTH_SECOND_FACTOR_RATE_LIMIT="3 per minute")
    client = client_for(clinic, limited)
    sign_in(client, "ed@example.com")
    token = csrf_token(client.get("/studio/sign-in/totp").text)
    statuses = [
        client.post(
            "/studio/sign-in/totp", data={"csrf_token": token, "code": "000000"}
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 200]
    blocked = client.post(
        "/studio/sign-in/totp", data={"csrf_token": token, "code": code_at(secret)}
    )
    assert blocked.status_code == 429
    assert client.get("/studio/").status_code == 302


# --- passkeys, server side -------------------------------------------------------------


def test_passkey_options_name_this_host_and_remember_the_challenge(clinic, signed_in_client):
    client = signed_in_client(clinic, "owner")
    response = client.post(
        "/studio/account/security/passkeys/options", data={"csrf_token": client.csrf}
    )
    assert response.status_code == 200
    options = response.get_json()
    assert options["rp"]["id"] == clinic.primary_host
    assert options["user"]["name"] == client.user.email
    assert len(options["challenge"]) >= 40
    assert client.post("/studio/account/security/passkeys/options").status_code == 400


def test_a_forged_passkey_answer_is_refused_and_nothing_is_stored(app, clinic, signed_in_client):
    client = signed_in_client(clinic, "owner")
    client.post("/studio/account/security/passkeys/options", data={"csrf_token": client.csrf})
    before = row_counts(app)
    forged = '{"id": "abc", "rawId": "abc", "type": "public-key", "response": {}}'
    response = client.post(
        "/studio/account/security/passkeys",
        data={"csrf_token": client.csrf, "name": "Laptop", "credential": forged},
    )
    assert response.status_code == 400
    assert "could not be checked" in response.text
    assert row_counts(app) == before


def test_passkey_sign_in_without_a_ceremony_is_refused(app, client_for, clinic):
    client = client_for(clinic)
    page = client.get("/studio/sign-in")
    token = csrf_token(page.text)
    before = row_counts(app)
    response = client.post(
        "/studio/sign-in/passkey", data={"csrf_token": token, "credential": '{"id": "x"}'}
    )
    assert response.status_code == 400
    assert "took too long" in response.text
    assert client.get("/studio/").status_code == 302
    assert row_counts(app)["audit_event"] == before["audit_event"] + 1


def test_nobody_removes_another_persons_passkey(app, clinic, signed_in_client, make_member):
    other = make_member(clinic, "editor", email="ed@example.com")
    with app.app_context():
        key = Passkey(
            user_id=other.id,
            credential_id=b"other-key",
            public_key=b"k",
            rp_id=clinic.primary_host,
            name="Ed's phone",
        )
        db.session.add(key)
        db.session.commit()
        key_id = key.id
    client = signed_in_client(clinic, "owner")
    before = row_counts(app)
    client.post(
        f"/studio/account/security/passkeys/{key_id}/remove", data={"csrf_token": client.csrf}
    )
    assert row_counts(app) == before


# --- the clinic's policy ---------------------------------------------------------------


def test_owner_requires_a_second_factor_for_all_staff(app, clinic, signed_in_client):
    client = signed_in_client(clinic, "owner")
    response = client.post(
        "/studio/staff/second-factor", data={"csrf_token": client.csrf, "required": "y"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Tenant, clinic.id).staff_second_factor_required
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "clinic.second_factor_policy")
        ).one()
        assert event.details == {"before": False, "after": True}
        assert event.actor_id == client.user.id
