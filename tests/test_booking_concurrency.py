"""PostgreSQL: simultaneous attempts from several OS processes, and what the database
lets through: one practitioner is never in two places, or two appointments, at once."""

from __future__ import annotations

import multiprocessing
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from meridian.extensions import db
from meridian.models import Booking, Practitioner, SlotClaim

pytestmark = pytest.mark.postgres

PROCESSES = 3
THREADS = 8  # 24 simultaneous attempts


@pytest.fixture
def postgres_url(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("needs TEST_DATABASE_URL=postgresql://… (runs in CI's PostgreSQL pass)")
    return database_url


def race(url, tenant, attempts, unchecked=False) -> list[str]:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(attempts))
    results = ctx.Queue()
    chunks = [attempts[i::PROCESSES] for i in range(PROCESSES)]
    processes = [
        ctx.Process(target=_target(), args=(url, tenant.id, chunk, barrier, results, unchecked))
        for chunk in chunks
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in attempts]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return outcomes


def _target():
    from tests.race_worker import attempt_all

    return attempt_all


def booked(outcomes) -> list[str]:
    assert all(o == "taken" or o.startswith("booked:") for o in outcomes), outcomes
    return [o for o in outcomes if o.startswith("booked:")]


def practitioner_id(app, tenant, slug="pat") -> int:
    with app.app_context():
        return db.session.scalars(
            select(Practitioner.id).filter_by(tenant_id=tenant.id, slug=slug)
        ).one()


@pytest.mark.parametrize("unchecked", [False, True], ids=["full-path", "database-only"])
def test_one_practitioner_two_locations_overlapping_times_exactly_one_booking(
    app, postgres_url, make_tenant, make_service, add_location, next_free, unchecked
):
    """The clash the issue names: the same person booked in two places at once."""
    tenant = make_tenant()
    long = make_service(tenant, "long", duration_minutes=60, buffer_minutes=15)
    short = make_service(tenant, "short", duration_minutes=30, buffer_minutes=0)
    annex = add_location(tenant, "annex", practitioners=("pat",))
    start = next_free(tenant, long, 4)
    pat = practitioner_id(app, tenant)
    here = tenant.locations[0].id
    # Every attempt overlaps every other: 30 or 60 + 15 minutes from `start` or 15
    # minutes later, at one location or the other.
    attempts = [
        (
            here if i % 2 else annex,
            pat,
            long.id if i // 2 % 2 else short.id,
            (start + timedelta(minutes=15 * (i // 4 % 2))).isoformat(),
            i,
        )
        for i in range(PROCESSES * THREADS)
    ]
    outcomes = race(postgres_url, tenant, attempts, unchecked)
    assert len(booked(outcomes)) == 1, outcomes
    with app.app_context():
        bookings = db.session.scalars(select(Booking)).all()
        assert len(bookings) == 1
        claims = db.session.scalar(select(func.count()).select_from(SlotClaim))
        blocked = bookings[0].blocked_until - bookings[0].starts_at
        assert claims == blocked // timedelta(minutes=5)


@pytest.mark.parametrize("unchecked", [False, True], ids=["full-path", "database-only"])
def test_two_practitioners_one_location_same_time_two_bookings(
    app, postgres_url, make_tenant, make_service, add_practitioner, next_free, unchecked
):
    tenant = make_tenant()
    sam = add_practitioner(tenant, "sam")
    service = make_service(tenant)
    start = next_free(tenant, service, 4)
    pat = practitioner_id(app, tenant)
    attempts = [
        (tenant.locations[0].id, pat if i % 2 else sam, service.id, start.isoformat(), i)
        for i in range(PROCESSES * THREADS)
    ]
    outcomes = race(postgres_url, tenant, attempts, unchecked)
    won = booked(outcomes)
    assert sorted(won) == sorted(
        [f"booked:{pat}:{tenant.locations[0].id}", f"booked:{sam}:{tenant.locations[0].id}"]
    ), outcomes
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 2


def test_first_available_race_fills_every_free_practitioner_once(
    app, postgres_url, make_tenant, make_service, add_practitioner, next_free
):
    """Everyone asks for "first available" at one time: a loser for one practitioner is
    booked with the next free one, and nobody gets two bookings at once."""
    tenant = make_tenant()
    sam = add_practitioner(tenant, "sam")
    service = make_service(tenant)
    start = next_free(tenant, service, 4)
    pat = practitioner_id(app, tenant)
    attempts = [
        (tenant.locations[0].id, None, service.id, start.isoformat(), i)
        for i in range(PROCESSES * THREADS)
    ]
    outcomes = race(postgres_url, tenant, attempts)
    won = booked(outcomes)
    assert sorted(o.split(":")[1] for o in won) == sorted([str(pat), str(sam)]), outcomes
