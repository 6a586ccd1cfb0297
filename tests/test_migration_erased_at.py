"""The migration that gave erasure its own column (b3e1c0d2a9f4): bookings erased before
it (the ones with no e-mail, then) are marked erased; the others are not. Runs on
SQLite, and on PostgreSQL in CI's pass."""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.engine import make_url

from meridian.bundles import load_bundle
from meridian.extensions import db
from meridian.models import Booking, Location, Practitioner, Service, utcnow

from .factories import ROOT, prepare_postgres

BEFORE = "7efab8d2e540"
MIGRATIONS = str(ROOT / "migrations")


def test_bookings_erased_before_the_column_existed_are_marked(make_app, database_url, tmp_path):
    if database_url.startswith("postgresql"):
        url = make_url(database_url)
        url = url.set(database=f"{url.database}_erased").render_as_string(hide_password=False)
        prepare_postgres(url)
    else:
        url = f"sqlite:///{tmp_path / 'erased.sqlite3'}"
    application = make_app(SQLALCHEMY_DATABASE_URI=url)
    with application.app_context():
        upgrade(directory=MIGRATIONS)
        load_bundle(ROOT / "tenants" / "zak-clinic")
        location = db.session.scalars(sa.select(Location)).first()
        service = db.session.scalars(sa.select(Service)).first()
        person = db.session.scalars(sa.select(Practitioner)).first()
        start = utcnow().replace(microsecond=0) + timedelta(days=400)
        for index, email in enumerate(("", "ada@example.com")):
            begins = start + timedelta(hours=index)
            db.session.add(
                Booking(
                    tenant_id=location.tenant_id,
                    reference=secrets.token_hex(4).upper(),
                    location_id=location.id,
                    service_id=service.id,
                    practitioner_id=person.id,
                    starts_at=begins,
                    ends_at=begins + timedelta(minutes=15),
                    blocked_until=begins + timedelta(minutes=15),
                    client_name="Erased client" if not email else "Ada",
                    client_email=email,
                    client_phone="",
                    consent_at=begins,
                    calendar_uid=secrets.token_hex(8),
                )
            )
        db.session.commit()
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision=BEFORE)
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT client_email, erased_at FROM booking ORDER BY starts_at")
            ).all()
        assert [(email, erased is not None) for email, erased in rows] == [
            ("", True),
            ("ada@example.com", False),
        ]
        db.session.remove()
        db.engine.dispose()
