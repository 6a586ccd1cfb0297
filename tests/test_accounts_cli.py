"""`flask users create`, `flask admin create`, and the demo accounts `make run` prints."""

from __future__ import annotations

from sqlalchemy import select

from meridian.auth import totp
from meridian.auth.passwords import verify_password
from meridian.extensions import db
from meridian.models import Membership, User

GOOD = "plum sofa orbit lantern 7"


def test_users_create_asks_for_a_good_password(app, make_tenant):
    clinic = make_tenant("clinic-a")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "Ann@Example.com", "--clinic", "clinic-a", "--role", "editor"],
        input=f"qwerty123456\nqwerty123456\n{GOOD}\n{GOOD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "too common" in result.output
    assert "ann@example.com: editor of clinic-a (new account)" in result.output
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "ann@example.com")).one()
        assert verify_password(user, GOOD)
        member = db.session.scalars(select(Membership)).one()
        assert (member.tenant_id, member.role) == (clinic.id, "editor")


def test_users_create_refuses_an_unknown_clinic(app):
    result = app.test_cli_runner().invoke(args=["users", "create", "a@b.c", "--clinic", "nope"])
    assert result.exit_code != 0 and "no clinic 'nope'" in result.output


def test_admin_create(app, make_user):
    make_user("root@meridian.test")
    result = app.test_cli_runner().invoke(args=["admin", "create", "ROOT@meridian.test"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalars(select(User)).one().is_platform_admin


def test_demo_accounts_print_working_passwords(app, make_tenant):
    make_tenant("clinic-a")
    result = app.test_cli_runner().invoke(args=["demo", "accounts"])
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines() if "@" in line and "://" in line]
    assert len(lines) == 4  # owner, editor, front desk, admin
    with app.app_context():
        for words in lines:
            email, password = next((w, words[i + 1]) for i, w in enumerate(words) if "@" in w)
            user = db.session.scalars(select(User).where(User.email == email)).one()
            assert verify_password(user, password)
    assert "http://clinic-a.test/studio/" in result.output
    assert "http://localhost/admin/" in result.output


def test_the_demo_admin_can_pass_the_second_step_with_the_printed_secret(app, make_tenant):
    """Admins need a second factor: `make run` prints the demo admin's TOTP secret, and
    `demo code SECRET` prints a code that the admin's authenticator check accepts."""
    make_tenant("clinic-a")
    runner = app.test_cli_runner()
    output = runner.invoke(args=["demo", "accounts"]).output
    secret = output.split("secret (TOTP): ")[1].split()[0]
    code = runner.invoke(args=["demo", "code", secret]).output.strip()
    with app.test_request_context():
        admin = db.session.scalars(select(User).where(User.is_platform_admin)).one()
        assert totp.verify(admin, code)
