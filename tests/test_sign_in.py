"""Signing in with a password: one answer for every failure, fresh sessions, the pipeline."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from meridian.auth import second_factor
from meridian.auth.passwords import password_problem
from meridian.extensions import db
from meridian.models import AuditEvent, Tenant, User

from .factories import PASSWORD, PLATFORM_HOST, csrf_token

WRONG = "That e-mail address and password do not match an account here."


def sign_in(client, email, password=PASSWORD, area="studio", **extra):
    page = client.get(f"/{area}/sign-in")
    assert page.status_code == 200
    data = {"csrf_token": csrf_token(page.text), "email": email, "password": password} | extra
    return client.post(f"/{area}/sign-in", data=data)


def events(app, action=None):
    with app.app_context():
        stmt = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        return [(e.action, e.actor_email, e.tenant_id) for e in db.session.scalars(stmt)]


@pytest.fixture
def clinic(make_tenant):
    return make_tenant("clinic-a", name="Alpha Clinic")


def test_sign_in_page_is_branded_and_private(client_for, clinic):
    response = client_for(clinic).get("/studio/sign-in")
    assert response.status_code == 200
    assert "Sign in to Alpha Clinic" in response.text
    assert "/theme.css" in response.text  # the clinic's colours
    assert "no-store" in response.headers["Cache-Control"]


def test_right_password_signs_in_with_a_fresh_session(app, client_for, clinic, make_member):
    owner = make_member(clinic, "owner", email="Ann@Example.com", name="Ann Owner")
    client = client_for(clinic)
    with client.session_transaction() as sess:
        sess["left_over"] = "from before sign-in"
    assert client.get("/studio/").status_code == 302
    response = sign_in(client, "  ANN@example.COM ")  # e-mails compare case-insensitively
    assert response.status_code == 302
    assert response.headers["Location"] == "/studio/"
    home = client.get("/studio/")
    assert home.status_code == 200
    assert "Ann Owner" in home.text and "owner" in home.text
    with client.session_transaction() as sess:
        assert "left_over" not in sess
        assert sess["auth_t"] == f"tenant:{clinic.id}"
    assert events(app) == [("sign_in", owner.email, clinic.id)]


@pytest.mark.parametrize("case", ["wrong password", "unknown e-mail", "other clinic", "inactive"])
def test_every_failure_gets_the_same_answer(
    app, client_for, clinic, make_tenant, make_member, case
):
    other = make_tenant("clinic-b")
    make_member(clinic, "owner", email="ann@example.com")
    make_member(other, "owner", email="bob@example.com")
    make_member(clinic, "editor", email="cy@example.com", active=False)
    email, password = {
        "wrong password": ("ann@example.com", "not the password at all"),
        "unknown e-mail": ("nobody@example.com", PASSWORD),
        "other clinic": ("bob@example.com", PASSWORD),
        "inactive": ("cy@example.com", PASSWORD),
    }[case]
    client = client_for(clinic)
    response = sign_in(client, email, password)
    assert response.status_code == 200
    assert WRONG in response.text
    assert f'value="{email}"' in response.text  # the e-mail is kept
    assert password not in response.text  # the password is not
    assert client.get("/studio/").status_code == 302
    assert events(app) == [("sign_in.failed", email, clinic.id)]


def test_unknown_e_mail_costs_an_argon2_check_too(client_for, clinic, monkeypatch):
    calls = []
    real = PasswordHasher.verify

    def counting(self, hash_, password):
        calls.append(hash_)
        return real(self, hash_, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    sign_in(client_for(clinic), "nobody@example.com", "whatever it is")
    assert len(calls) == 1 and calls[0].startswith("$argon2id$")


def test_missing_fields_are_reported_next_to_them(client_for, clinic):
    response = sign_in(client_for(clinic), "", "")
    assert "Please enter your e-mail address." in response.text
    assert "Please enter your password." in response.text
    assert 'aria-invalid="true"' in response.text


def test_missing_csrf_token_changes_nothing(app, client_for, clinic, make_member):
    make_member(clinic, "owner", email="ann@example.com")
    client = client_for(clinic)
    response = client.post(
        "/studio/sign-in", data={"email": "ann@example.com", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert client.get("/studio/").status_code == 302
    assert events(app) == []


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/blog"])
def test_next_only_leads_inside_the_studio(client_for, clinic, make_member, target):
    make_member(clinic, "owner", email="ann@example.com")
    response = sign_in(client_for(clinic), "ann@example.com", next=target)
    assert response.headers["Location"] == "/studio/"


def test_next_returns_to_the_page_asked_for(client_for, clinic, make_member):
    make_member(clinic, "owner", email="ann@example.com")
    client = client_for(clinic)
    redirect = client.get("/studio/staff")
    assert redirect.headers["Location"].startswith("/studio/sign-in?next=/studio/staff")
    page = client.get(redirect.headers["Location"])
    data = {"csrf_token": csrf_token(page.text), "email": "ann@example.com", "password": PASSWORD}
    data["next"] = "/studio/staff"
    assert client.post("/studio/sign-in", data=data).headers["Location"] == "/studio/staff"


def test_a_clinic_owner_cannot_sign_in_to_the_admin(app, client_for, clinic, make_member):
    make_member(clinic, "owner", email="ann@example.com")
    client = client_for(PLATFORM_HOST)
    response = sign_in(client, "ann@example.com", area="admin")
    assert WRONG in response.text
    assert events(app) == [("sign_in.failed", "ann@example.com", None)]


def test_platform_admin_without_a_second_factor_must_set_one_up_first(app, client_for, make_user):
    """Admins must have a second factor; until one exists, the password alone is not
    enough: the second step offers to set up an authenticator app, and nothing more."""
    make_user("root@meridian.test", platform_admin=True)
    client = client_for(PLATFORM_HOST)
    response = sign_in(client, "root@meridian.test", area="admin")
    assert response.headers["Location"] == "/admin/sign-in/second-factor"
    page = client.get("/admin/sign-in/second-factor")
    assert page.status_code == 200
    assert 'href="/admin/sign-in/totp/setup"' in page.text
    assert client.get("/admin/").status_code == 302  # still signed out
    assert [a for a, _, _ in events(app)] == ["sign_in.password_ok"]


def test_a_required_factor_with_no_way_to_set_one_up_is_refused(
    app, client_for, make_user, monkeypatch
):
    """Never skipped: with no method that can enrol during sign-in, the step refuses."""
    monkeypatch.setattr(
        second_factor,
        "_REGISTRY",
        {k: m for k, m in second_factor._REGISTRY.items() if not m.enrol_endpoint},
    )
    make_user("root@meridian.test", platform_admin=True)
    client = client_for(PLATFORM_HOST)
    sign_in(client, "root@meridian.test", area="admin")
    page = client.get("/admin/sign-in/second-factor")
    assert page.status_code == 403
    assert "cannot sign in yet" in page.text
    assert client.get("/admin/").status_code == 302
    assert [a for a, _, _ in events(app)] == [
        "sign_in.password_ok",
        "sign_in.second_factor_missing",
    ]


def test_clinic_requiring_a_second_factor_holds_staff_at_the_second_step(
    app, client_for, clinic, make_member
):
    with app.app_context():
        db.session.get(Tenant, clinic.id).staff_second_factor_required = True
        db.session.commit()
    make_member(clinic, "editor", email="ed@example.com")
    client = client_for(clinic)
    assert sign_in(client, "ed@example.com").headers["Location"] == "/studio/sign-in/second-factor"
    page = client.get("/studio/sign-in/second-factor")
    assert 'href="/studio/sign-in/totp/setup"' in page.text
    assert client.get("/studio/").status_code == 302


@pytest.fixture
def fake_method():
    """A second-factor method that says every user has it set up."""
    method = second_factor.SecondFactorMethod(
        key="fake", label="Fake token", is_enrolled=lambda user: True, verify_endpoint="home"
    )
    second_factor.register(method)
    yield method
    second_factor.unregister("fake")


def test_a_user_with_a_second_factor_is_asked_for_it(
    app, client_for, clinic, make_member, fake_method
):
    make_member(clinic, "owner", email="ann@example.com")
    client = client_for(clinic)
    assert sign_in(client, "ann@example.com").headers["Location"] == "/studio/sign-in/second-factor"
    page = client.get("/studio/sign-in/second-factor")
    assert page.status_code == 200 and "Fake token" in page.text
    assert client.get("/studio/").status_code == 302  # pending is not signed in
    app.config["AUTH_PENDING_MINUTES"] = 0
    try:
        expired = client.get("/studio/sign-in/second-factor")
        assert expired.headers["Location"] == "/studio/sign-in?ended=pending"
    finally:
        app.config["AUTH_PENDING_MINUTES"] = 10


def test_second_factor_page_needs_a_pending_sign_in(client_for, clinic):
    response = client_for(clinic).get("/studio/sign-in/second-factor")
    assert response.headers["Location"] == "/studio/sign-in"


def test_changed_argon2_parameters_rehash_at_sign_in(app, client_for, clinic, make_member):
    owner = make_member(clinic, "owner", email="ann@example.com")
    with app.app_context():
        before = db.session.get(User, owner.id).password_hash
    assert "m=64," in before
    app.config["ARGON2_MEMORY_KIB"] = 128
    try:
        assert sign_in(client_for(clinic), "ann@example.com").status_code == 302
    finally:
        app.config["ARGON2_MEMORY_KIB"] = 64
    with app.app_context():
        after = db.session.get(User, owner.id).password_hash
    assert "m=128," in after and after.startswith("$argon2id$")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short pass", "at least 12"),
        ("x" * 129, "at most 128"),
        ("qwerty123456", "too common"),
        ("Password123456!", "too common"),
        ("zzzzzzzzzzzzzz", "too common"),
        ("ann@example.com", "e-mail"),
        ("plum sofa orbit lantern 7", None),
        ("ÅngströmÜmlautPass", None),
    ],
)
def test_password_rules(password, problem):
    found = password_problem(password, "ann@example.com")
    assert (found is None) if problem is None else (problem in found)
