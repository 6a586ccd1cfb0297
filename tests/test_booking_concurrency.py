"""PostgreSQL: simultaneous attempts from several OS processes yield one booking."""

from __future__ import annotations

import multiprocessing
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from meridian.extensions import db
from meridian.models import Booking, SlotClaim

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
        ctx.Process(
            target=_target(),
            args=(url, tenant.id, tenant.locations[0].id, chunk, barrier, results, unchecked),
        )
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


@pytest.mark.parametrize("unchecked", [False, True], ids=["full-path", "database-only"])
def test_many_processes_one_slot_exactly_one_booking(
    app, postgres_url, make_tenant, make_service, next_free, unchecked
):
    tenant = make_tenant()
    service = make_service(tenant)
    start = next_free(tenant, service, 3)
    attempts = [(service.id, start.isoformat(), i) for i in range(PROCESSES * THREADS)]
    outcomes = race(postgres_url, tenant, attempts, unchecked)
    assert sorted(set(outcomes)) == ["booked", "taken"], outcomes
    assert outcomes.count("booked") == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


@pytest.mark.parametrize("unchecked", [False, True], ids=["full-path", "database-only"])
def test_overlapping_different_lengths_exactly_one_booking(
    app, postgres_url, make_tenant, make_service, next_free, unchecked
):
    tenant = make_tenant()
    long = make_service(tenant, "long", duration_minutes=60, buffer_minutes=15)
    short = make_service(tenant, "short", duration_minutes=15, buffer_minutes=5)
    start = next_free(tenant, long, 0)
    # Every attempt overlaps every other: a 15 + 5 or 60 + 15 minute booking starting
    # at `start` or 15 minutes later.
    attempts = [
        (
            long.id if i % 2 else short.id,
            (start + timedelta(minutes=15 * (i // 2 % 2))).isoformat(),
            i,
        )
        for i in range(PROCESSES * THREADS)
    ]
    outcomes = race(postgres_url, tenant, attempts, unchecked)
    assert outcomes.count("booked") == 1, outcomes
    assert all(o in ("booked", "taken") for o in outcomes), outcomes
    with app.app_context():
        bookings = db.session.scalars(select(Booking)).all()
        assert len(bookings) == 1
        claims = db.session.scalar(select(func.count()).select_from(SlotClaim))
        blocked = bookings[0].blocked_until - bookings[0].starts_at
        assert claims == blocked // timedelta(minutes=5)
