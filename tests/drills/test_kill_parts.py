"""Kill parts of the stack under a steady load of reads and bookings through nginx:
an app server (SIGKILL), PostgreSQL (restart), Redis (stop). Each drill reports its
figures and checks that no booking was lost, half-made or doubled."""

from __future__ import annotations

import time

import pytest

from .checks import bookings_intact
from .client import Client
from .load import Load

pytestmark = pytest.mark.drill


def unanswered_but_made(sql, load: Load) -> int:
    """Booking POSTs that got no answer (or a 5xx) although the booking was committed."""
    failed = load.failed(load.of("book"))
    starts = [r.slot[2] for r in failed if r.slot]
    if not starts:
        return 0
    rows = sql(
        "SELECT count(*) FROM booking WHERE status = 'confirmed' AND starts_at = ANY(%s::timestamptz[])",
        (starts,),
    )
    return rows[0][0]


def test_sigkill_one_app_server_under_load(stack, slots, sql, report):
    load = Load(stack.https_port, str(stack.ca), slots.take(60)).start()
    load.run_for(3)
    killed_at = time.monotonic()
    stack.procs["app1"].kill()
    load.run_for(5)
    load.stop()

    reads, books = load.of("read"), load.of("book")
    after = load.of("read", since=killed_at) + load.of("book", since=killed_at)
    failed_after = load.failed(after)
    last_failure = max((r.at for r in failed_after), default=killed_at)
    integrity = bookings_intact(sql, [r.reference for r in load.booked()])
    report(
        "sigkill-app-server",
        requests=len(reads) + len(books),
        reads=len(reads),
        bookings_tried=len(books),
        bookings_confirmed=len(load.booked()),
        failed_during_switch=len(failed_after),
        failed_before_kill=len(load.failed(load.of("read", until=killed_at))),
        switch_seconds=f"{last_failure - killed_at:.2f}",
        unanswered_but_committed=unanswered_but_made(sql, load),
        **integrity,
    )
    assert integrity == {"lost": 0, "doubled": 0, "half_made": 0}
    assert len(load.booked()) > 0
    # The other server serves on: after the first seconds, nothing fails any more.
    assert not load.failed(load.of("read", since=killed_at + 2.5))
    assert not load.failed(load.of("book", since=killed_at + 2.5))


def test_restart_postgresql_under_load(stack, slots, sql, report):
    load = Load(stack.https_port, str(stack.ca), slots.take(60)).start()
    load.run_for(2)
    postgres = stack.procs["postgres"]
    began = time.monotonic()
    postgres.stop()  # fast shutdown: every connection is cut
    down_for = time.monotonic() - began
    postgres.start()
    back = time.monotonic()
    deadline = back + 20
    while time.monotonic() < deadline and not [
        r for r in load.of("book", since=back) if r.status == 303
    ]:
        time.sleep(0.1)
    recovered = [r for r in load.of("book", since=back) if r.status == 303]
    recovered_at = min((r.at + r.seconds for r in recovered), default=float("inf"))
    load.run_for(3)
    load.stop()

    after_recovery = load.of("read", since=recovered_at) + load.of("book", since=recovered_at)
    during = load.of("read", since=began, until=recovered_at)
    integrity = bookings_intact(sql, [r.reference for r in load.booked()])
    report(
        "restart-postgresql",
        seconds_to_recovery=f"{recovered_at - began:.2f}",
        postgres_down_seconds=f"{back - began:.2f}",
        shutdown_seconds=f"{down_for:.2f}",
        reads_during_outage=len(during),
        reads_failed_during_outage=len(load.failed(during)),
        errors_after_recovery=len(load.failed(after_recovery)),
        bookings_confirmed=len(load.booked()),
        unanswered_but_committed=unanswered_but_made(sql, load),
        **integrity,
    )
    assert recovered, "no booking succeeded within 20 s of PostgreSQL coming back"
    assert not load.failed(after_recovery), "5xx after PostgreSQL was back"
    assert integrity == {"lost": 0, "doubled": 0, "half_made": 0}


def test_stop_redis(stack, slots, sql, report, client):
    redis = stack.procs["redis"]
    redis.stop()
    try:
        load = Load(stack.https_port, str(stack.ca), slots.take(20), book_every=0.3).start()
        load.run_for(4)
        load.stop()
        probe = client("localhost")
        ready, alive = probe.get("/readyz"), probe.get("/healthz")
    finally:
        redis.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and probe.get("/readyz").status != 200:
        time.sleep(0.2)
    ready_again = probe.get("/readyz")

    reads, books = load.of("read"), load.of("book")
    integrity = bookings_intact(sql, [r.reference for r in load.booked()])
    report(
        "stop-redis",
        reads=len(reads),
        reads_failed=len(load.failed(reads)),
        bookings_tried=len(books),
        bookings_confirmed=len(load.booked()),
        bookings_failed=len(load.failed(books)),
        readyz_while_down=ready.status,
        healthz_while_down=alive.status,
        readyz_after=ready_again.status,
        rate_limits="per-process memory while Redis is down (documented fallback)",
        **integrity,
    )
    assert reads and not load.failed(reads), "reading pages must be served without Redis"
    assert load.booked() and not load.failed(books), "bookings go on without Redis"
    assert ready.status == 503 and "redis: FAILING" in ready.body
    assert alive.status == 200 and ready_again.status == 200
    assert integrity == {"lost": 0, "doubled": 0, "half_made": 0}


def test_http_is_redirected_and_https_carries_hsts(stack):
    import http.client

    plain = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=5)
    plain.request("GET", "/blog", headers={"Host": "zak-clinic.localhost"})
    answer = plain.getresponse()
    plain.close()
    assert answer.status == 301
    assert answer.getheader("Location") == f"https://zak-clinic.localhost:{stack.https_port}/blog"
    browser = Client("zak-clinic.localhost", stack.https_port, str(stack.ca))
    secure = browser.get("/blog")
    browser.close()
    assert secure.status == 200
    assert secure.headers["strict-transport-security"].startswith("max-age=31536000")
