"""Plain helpers and data builders for tests. Import from here, never from conftest.

The fixtures in conftest.py (`make_user`, `make_member`, `signed_in_client`,
`admin_client`, …) wrap these with the test app.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask, g
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from meridian.auth import passwords
from meridian.auth.sessions import session_fields
from meridian.extensions import db
from meridian.models import Membership, Tenant, User

ROOT = Path(__file__).resolve().parents[1]
DEMO_HOSTS = {
    "acute-acupuncture": "acute-acupuncture.localhost",
    "zak-clinic": "zak-clinic.localhost",
}
#: The password every built user has (12+ characters, not a common one).
PASSWORD = "plum sofa orbit lantern 7"
PLATFORM_HOST = "localhost"


def prepare_postgres(url: str) -> None:
    """Create the test database if needed and start from an empty schema."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
        )
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    engine = create_engine(target)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def saved(row: Any) -> Any:
    """Commit a new row and hand it back loaded and detached, usable after the context ends."""
    db.session.add(row)
    db.session.commit()
    db.session.refresh(row)
    db.session.expunge(row)
    return row


CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def build_user(
    app: Flask,
    email: str | None = None,
    *,
    password: str | None = PASSWORD,
    name: str | None = None,
    platform_admin: bool = False,
    active: bool = True,
) -> User:
    with app.app_context():
        if email is None:
            email = f"user{db.session.scalar(select(func.count(User.id))) + 1}@example.com"
        user = User(
            email=email.lower(),
            display_name=name or email.partition("@")[0].title(),
            password_hash=passwords.hash_password(password) if password else None,
            is_platform_admin=platform_admin,
            is_active=active,
        )
        return saved(user)


def build_member(app: Flask, tenant: Tenant, role: str = "owner", user: User | None = None, **kw):
    """A user with `role` in `tenant` (a new user unless one is given)."""
    user = user or build_user(app, kw.pop("email", None) or f"{role}@{tenant.slug}.test", **kw)
    with app.app_context():
        saved(Membership(tenant_id=tenant.id, user_id=user.id, role=role))
    return user


def plant_session(client: FlaskClient, host: str, user: User | None, tenant: Tenant | None) -> str:
    """Put a signed-in session for `user`, made on `tenant`'s host (None: the platform),
    into `client`'s cookie for `host`, as if they had signed in there; returns a CSRF
    token valid for that session. With host != tenant's host this is a replayed cookie."""
    base = f"http://{host}"
    with client.application.test_request_context(base_url=base):
        token = generate_csrf()
        from flask import session as ctx_session

        raw = ctx_session["csrf_token"]
    with client.session_transaction(base_url=base) as sess:
        sess["csrf_token"] = raw
        if user is not None:
            with client.application.test_request_context(base_url=base):
                g.tenant = tenant
                sess.update(session_fields(user))
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
    return token


def row_counts(app: Flask) -> dict[str, int]:
    """Rows in every table: compared before and after a refused request."""
    with app.app_context():
        return {
            table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in db.metadata.sorted_tables
        }
