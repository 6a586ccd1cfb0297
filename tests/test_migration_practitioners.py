"""The practitioners migration on a database made at the previous revision, with data:
every booking, claim, new-client claim and outgoing e-mail survives, and each booking
belongs to a practitioner afterwards. Runs on SQLite, and on PostgreSQL in CI's pass."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.engine import make_url

from meridian.extensions import db
from meridian.models.base import UTCDateTime

from .factories import ROOT, prepare_postgres

BEFORE = "a41d66c67092"  # main's head before practitioners: bookings belong to a location
AFTER = "0c9ba90d2d82"  # practitioners
MIGRATIONS = str(ROOT / "migrations")

T0 = datetime(2030, 3, 5, 10, 0, tzinfo=UTC)


@pytest.fixture
def old_app(make_app, database_url, tmp_path):
    """An app on a database of its own, migrated to the revision before practitioners."""
    if database_url.startswith("postgresql"):
        url = make_url(database_url)
        url = url.set(database=f"{url.database}_migration").render_as_string(hide_password=False)
        prepare_postgres(url)
    else:
        url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    application = make_app(SQLALCHEMY_DATABASE_URI=url)
    with application.app_context():
        upgrade(directory=MIGRATIONS, revision=BEFORE)
    return application


def table(name: str, *columns: str, times=(), clocks=()):
    cols = [sa.column(c) for c in columns]
    cols += [sa.column(c, UTCDateTime()) for c in times]
    cols += [sa.column(c, sa.Time()) for c in clocks]
    return sa.table(name, *cols)


def fill_old_schema(conn) -> dict[str, int]:
    """Two clinics; clinic A has two locations booked at the same hour (allowed when a
    booking belonged to a location), a cancelled booking, claims and outbox rows."""
    ids: dict[str, int] = {}
    tenant = table("tenant", "id", "slug", "name", "tagline", "about_md", "about_html",
                   "disclaimer", "cta", "locale", "currency", "country", "brand_primary",
                   "brand_accent", "social", "status", "content_version",
                   times=("created_at", "updated_at"))  # fmt: skip
    for tid, slug in ((1, "clinic-a"), (2, "clinic-b")):
        conn.execute(tenant.insert().values(
            id=tid, slug=slug, name=slug.title(), tagline="", about_md="", about_html="",
            disclaimer="", cta="", locale="en_GB", currency="GBP", country="GB",
            brand_primary="#111111", brand_accent="#222222", social="{}", status="active",
            content_version=1, created_at=T0, updated_at=T0,
        ))  # fmt: skip
    location = table("location", "id", "tenant_id", "slug", "name", "street", "locality",
                     "city", "region", "postcode", "country", "phone", "email", "timezone",
                     "directions", "holiday_subdivision", "position")  # fmt: skip
    for lid, tid, slug in ((1, 1, "main"), (2, 1, "annex"), (3, 2, "main")):
        conn.execute(location.insert().values(
            id=lid, tenant_id=tid, slug=slug, name=slug.title(), street="", locality="",
            city="London", region="", postcode="", country="GB", phone="", email="",
            timezone="Europe/London", directions="", holiday_subdivision="", position=lid,
        ))  # fmt: skip
    hours = table("opening_hours", "id", "tenant_id", "location_id", "weekday",
                  clocks=("opens", "closes"))  # fmt: skip
    for hid, (lid, tid, weekday) in enumerate(((1, 1, 0), (1, 1, 1), (2, 1, 1), (3, 2, 2)), 1):
        conn.execute(hours.insert().values(
            id=hid, tenant_id=tid, location_id=lid, weekday=weekday, opens=time(9),
            closes=time(17),
        ))  # fmt: skip
    service = table("service", "id", "tenant_id", "slug", "name", "description",
                    "duration_minutes", "price_minor", "buffer_minutes", "online_bookable",
                    "new_clients_only", "min_notice_minutes", "horizon_days", "position")  # fmt: skip
    for sid, tid, slug in ((1, 1, "consult"), (2, 1, "treat"), (3, 2, "consult")):
        conn.execute(service.insert().values(
            id=sid, tenant_id=tid, slug=slug, name=slug, description="", duration_minutes=15,
            price_minor=0, buffer_minutes=5, online_bookable=True,
            new_clients_only=slug == "consult", min_notice_minutes=120, horizon_days=60,
            position=0,
        ))  # fmt: skip
    booking = table("booking", "id", "tenant_id", "reference", "location_id", "service_id",
                    "status", "client_name", "client_email", "client_phone", "reason",
                    times=("starts_at", "ends_at", "blocked_until", "consent_at",
                           "created_at", "cancelled_at"))  # fmt: skip
    claim = table("slot_claim", "id", "tenant_id", "location_id", "booking_id",
                  times=("granule_start",))  # fmt: skip
    rows = [  # id, tenant, location, service, status, start
        (1, 1, 1, 1, "confirmed", T0),
        (2, 1, 2, 2, "confirmed", T0),  # same hour, the other location
        (3, 1, 1, 2, "cancelled", T0 + timedelta(hours=1)),
        (4, 2, 3, 3, "confirmed", T0),
    ]
    claim_id = 0
    for bid, tid, lid, sid, status, start in rows:
        conn.execute(booking.insert().values(
            id=bid, tenant_id=tid, reference=f"REF{bid}", location_id=lid, service_id=sid,
            status=status, client_name=f"Client {bid}", client_email=f"c{bid}@example.com",
            client_phone=f"+4420794600{bid:02d}", reason="private", starts_at=start,
            ends_at=start + timedelta(minutes=15), blocked_until=start + timedelta(minutes=20),
            consent_at=T0, created_at=T0, cancelled_at=T0 if status == "cancelled" else None,
        ))  # fmt: skip
        if status == "confirmed":
            for n in range(4):
                claim_id += 1
                conn.execute(claim.insert().values(
                    id=claim_id, tenant_id=tid, location_id=lid, booking_id=bid,
                    granule_start=start + timedelta(minutes=5 * n),
                ))  # fmt: skip
    new_client = table("new_client_claim", "id", "tenant_id", "kind", "value", "booking_id")
    conn.execute(new_client.insert().values(
        id=1, tenant_id=1, kind="email", value="c1@example.com", booking_id=1
    ))  # fmt: skip
    outbox = table("outbox_message", "id", "tenant_id", "booking_id", "kind", "recipient",
                   "subject", "body_text", "status", "attempts", "last_error",
                   "idempotency_key", times=("next_attempt_at", "created_at"))  # fmt: skip
    conn.execute(outbox.insert().values(
        id=1, tenant_id=1, booking_id=1, kind="confirmation", recipient="c1@example.com",
        subject="Booked", body_text="Hello", status="queued", attempts=0, last_error="",
        idempotency_key="confirmation:1", next_attempt_at=T0, created_at=T0,
    ))  # fmt: skip
    return ids


def counts(conn) -> dict[str, int]:
    tables = ("booking", "slot_claim", "new_client_claim", "outbox_message", "opening_hours")
    return {t: conn.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in tables}


def test_every_booking_moves_to_a_practitioner_and_nothing_is_lost(old_app):
    with old_app.app_context():
        with db.engine.begin() as conn:
            fill_old_schema(conn)
            before = counts(conn)
            bookings_before = conn.execute(
                sa.text("SELECT id, reference, location_id, status FROM booking ORDER BY id")
            ).all()
        upgrade(directory=MIGRATIONS, revision=AFTER)
        with db.engine.connect() as conn:
            assert counts(conn) == before
            rows = conn.execute(
                sa.text(
                    "SELECT b.id, b.reference, b.location_id, b.status, b.calendar_uid, "
                    "b.calendar_sequence, p.name, p.tenant_id, b.tenant_id "
                    "FROM booking b JOIN practitioner p ON p.id = b.practitioner_id ORDER BY b.id"
                )
            ).all()
            assert [r[:4] for r in rows] == [tuple(r) for r in bookings_before]
            assert all(r.calendar_uid == r.reference and r.calendar_sequence == 0 for r in rows)
            assert all(r[7] == r[8] for r in rows)  # the practitioner is the booking's clinic's
            # One practitioner per location, named after it: the two bookings at the same
            # hour in two places belong to two practitioners, so both stay valid.
            assert rows[0].name == "Main team" and rows[1].name == "Annex team"
            practitioners = conn.execute(
                sa.text("SELECT id, tenant_id, slug FROM practitioner ORDER BY id")
            ).all()
            assert [(p.tenant_id, p.slug) for p in practitioners] == [
                (1, "main-team"),
                (1, "annex-team"),
                (2, "main-team"),
            ]
            # They work their location's opening hours and offer the clinic's services.
            hours = conn.execute(
                sa.text("SELECT practitioner_id, location_id, weekday FROM practitioner_hours")
            ).all()
            assert sorted(hours) == sorted(
                [(practitioners[0].id, 1, 0), (practitioners[0].id, 1, 1),
                 (practitioners[1].id, 2, 1), (practitioners[2].id, 3, 2)]
            )  # fmt: skip
            offered = conn.execute(
                sa.text("SELECT practitioner_id, service_id FROM practitioner_service")
            ).all()
            assert sorted(offered) == sorted(
                [(practitioners[0].id, 1), (practitioners[0].id, 2),
                 (practitioners[1].id, 1), (practitioners[1].id, 2), (practitioners[2].id, 3)]
            )  # fmt: skip
            claims = conn.execute(
                sa.text(
                    "SELECT count(*) FROM slot_claim c JOIN booking b ON b.id = c.booking_id "
                    "WHERE c.practitioner_id = b.practitioner_id"
                )
            ).scalar()
            assert claims == before["slot_claim"]
        # And back: the bookings survive a downgrade too.
        downgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.connect() as conn:
            assert counts(conn) == before
            rows = conn.execute(
                sa.text("SELECT id, reference, location_id, status FROM booking ORDER BY id")
            ).all()
            assert rows == bookings_before


def test_after_the_migration_the_database_refuses_one_practitioner_twice(old_app):
    """The new guard holds on migrated data: a claim for a migrated booking's
    practitioner and granule is refused."""
    with old_app.app_context():
        with db.engine.begin() as conn:
            fill_old_schema(conn)
        upgrade(directory=MIGRATIONS, revision=AFTER)
        with db.engine.connect() as conn:
            practitioner_id, granule = conn.execute(
                sa.text(
                    "SELECT practitioner_id, granule_start FROM slot_claim WHERE booking_id = 1"
                )
            ).first()
            with pytest.raises(sa.exc.IntegrityError):
                conn.execute(
                    sa.text(
                        "INSERT INTO slot_claim (tenant_id, practitioner_id, granule_start, "
                        "booking_id) VALUES (1, :p, :g, 3)"
                    ),
                    {"p": practitioner_id, "g": granule},
                )
