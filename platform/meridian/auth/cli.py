"""`flask --app wsgi users …`, `admin …` and (for `make run` only) `demo accounts`."""

from __future__ import annotations

import secrets

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..models import ROLES, Membership, Tenant, User, normalise_email
from ..urls import origin_for
from . import audit, passwords, totp

users = AppGroup("users", help="Clinic staff accounts.")
admin = AppGroup("admin", help="Platform admin accounts.")
demo = AppGroup("demo", help="Demo data for `make run` (never for a real deployment).")


def _ask_password(email: str) -> str:
    while True:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        problem = passwords.password_problem(password, email)
        if problem is None:
            return password
        click.echo(problem, err=True)


def _user(email: str, name: str | None, password: str | None) -> tuple[User, bool]:
    """The user with this e-mail, created (with a password asked for) if new."""
    email = normalise_email(email)
    user = db.session.scalars(select(User).where(User.email == email)).first()
    if user is not None:
        return user, False
    user = User(
        email=email,
        display_name=name or email.partition("@")[0],
        password_hash=passwords.hash_password(password or _ask_password(email)),
    )
    db.session.add(user)
    db.session.flush()
    return user, True


def _tenant(slug: str) -> Tenant:
    tenant = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).first()
    if tenant is None:
        raise click.ClickException(f"no clinic {slug!r} (see `flask --app wsgi tenants list`)")
    return tenant


def _membership(tenant: Tenant, user: User, role: str) -> Membership:
    membership = db.session.scalars(
        select(Membership).where(Membership.tenant_id == tenant.id, Membership.user_id == user.id)
    ).first()
    if membership is None:
        membership = Membership(tenant_id=tenant.id, user_id=user.id, role=role)
        db.session.add(membership)
    membership.role = role
    return membership


@users.command("create")
@click.argument("email")
@click.option("--clinic", "slug", required=True, help="The clinic's slug.")
@click.option("--role", type=click.Choice(ROLES), default="owner", show_default=True)
@click.option("--name", default=None, help="Display name (default: the e-mail's local part).")
def users_create(email: str, slug: str, role: str, name: str | None) -> None:
    """Give EMAIL a role in a clinic, creating the account (asks for a password) if new."""
    tenant = _tenant(slug)
    user, created = _user(email, name, None)
    _membership(tenant, user, role)
    audit.record("member.added_by_cli", target=user.email, tenant=tenant, role=role)
    db.session.commit()
    click.echo(f"{user.email}: {role} of {tenant.slug}{' (new account)' if created else ''}")


@admin.command("create")
@click.argument("email")
@click.option("--name", default=None, help="Display name (default: the e-mail's local part).")
def admin_create(email: str, name: str | None) -> None:
    """Make EMAIL a platform admin, creating the account (asks for a password) if new."""
    user, created = _user(email, name, None)
    user.is_platform_admin = True
    audit.record("admin.created_by_cli", target=user.email, tenant=None)
    db.session.commit()
    click.echo(f"{user.email}: platform admin{' (new account)' if created else ''}")


DEMO_ROLES = (("owner", "Owner"), ("editor", "Editor"), ("front_desk", "Front desk"))


@demo.command("accounts")
def demo_accounts() -> None:
    """For `make run`: demo staff per clinic and a demo admin, with fresh passwords."""
    lines = []
    for tenant in db.session.scalars(select(Tenant).order_by(Tenant.slug)):
        studio = origin_for(tenant.primary_host) + "/studio/"
        for role, label in DEMO_ROLES:
            password = secrets.token_urlsafe(12)
            email = f"{role.replace('_', '-')}@{tenant.slug}.example"
            user, _ = _user(email, f"Demo {label.lower()}", password)
            user.password_hash = passwords.hash_password(password)
            user.is_active = True
            _membership(tenant, user, role)
            lines.append(f"  {tenant.name:<20} {label:<11} {email:<36} {password}  {studio}")
    password = secrets.token_urlsafe(12)
    user, _ = _user("admin@meridian.example", "Demo admin", password)
    user.password_hash = passwords.hash_password(password)
    user.is_platform_admin = True
    db.session.flush()
    # Admins must use a second factor: the demo admin gets an authenticator-app secret
    # (new each run) to add to an app, or to feed `oathtool --totp -b SECRET`.
    secret = totp.new_secret()
    totp.enrol(user, secret, step=0)
    lines.append(
        f"  {'Platform':<20} {'Admin':<11} {user.email:<36} {password}  "
        + origin_for(current_app.config["PLATFORM_HOSTS"][0])
        + "/admin/"
    )
    db.session.commit()
    click.echo("Demo accounts (new passwords on every `make run`):")
    for line in lines:
        click.echo(line)
    click.echo(f"  Demo admin's authenticator-app secret (TOTP): {secret}")
    click.echo(f"  Its current code: .venv/bin/flask --app wsgi demo code {secret}")


@demo.command("code")
@click.argument("secret")
def demo_code(secret: str) -> None:
    """The current authenticator-app code for a TOTP secret (to sign in to the demo)."""
    import pyotp

    click.echo(pyotp.TOTP(secret).now())


def register(app) -> None:
    app.cli.add_command(users)
    app.cli.add_command(admin)
    app.cli.add_command(demo)
