"""The production hot path: a cached public page costs no SQL and no session work.

The test app turns the in-process tables off (conftest); these tests turn them on
the way production runs (TENANT_CACHE_SECONDS=1, PAGE_CACHE_LOCAL_ENTRIES>0) and check
that they never serve an edit late by more than the tenant table's time to live.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, select, update

from meridian import hosts
from meridian.extensions import db
from meridian.models import Post, Tenant

HOST = "zak-clinic.localhost"
POST = "/blog/can-acupuncture-help-with-dry-eye"


@pytest.fixture
def prod_app(make_app):
    return make_app(TENANT_CACHE_SECONDS=1.0, PAGE_CACHE_LOCAL_ENTRIES=64)


@pytest.fixture
def clock(monkeypatch):
    """A controllable monotonic clock for the host -> tenant table."""

    class Clock:
        now = 1000.0

    monkeypatch.setattr(hosts.time, "monotonic", lambda: Clock.now)
    return Clock


@contextmanager
def sql_of(application):
    statements: list[str] = []
    with application.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_cached_page_costs_no_sql_at_all(demo, prod_app, client_for, clock):
    client = client_for(HOST, prod_app)
    assert client.get(POST).headers["X-Page-Cache"] == "miss"
    with sql_of(prod_app) as statements:
        for _ in range(3):
            response = client.get(POST)
            assert response.status_code == 200
            assert response.headers["X-Page-Cache"] == "hit"
    assert statements == []


def test_an_unknown_host_is_remembered_too(demo, prod_app, client_for, clock):
    client = client_for("nobody.example", prod_app)
    assert client.get("/").status_code == 404
    with sql_of(prod_app) as statements:
        assert client.get("/").status_code == 404
    assert statements == []


def test_an_edit_in_this_process_shows_at_once(demo, prod_app, client_for, clock):
    client = client_for(HOST, prod_app)
    before = client.get(POST)
    with prod_app.app_context():
        post = db.session.scalars(select(Post).filter_by(slug=POST.rsplit("/", 1)[1])).one()
        post.title = "Dry eye, revisited"
        db.session.commit()
    after = client.get(POST)
    assert "Dry eye, revisited" in after.text
    assert after.headers["ETag"] != before.headers["ETag"]


def test_an_edit_from_another_process_shows_within_the_time_to_live(
    demo, prod_app, client_for, clock
):
    """Another process's commit is invisible to this one's table until it expires."""
    client = client_for(HOST, prod_app)
    client.get(POST)
    tenants = Tenant.__table__
    with prod_app.app_context(), db.engine.begin() as conn:  # as another process commits it
        conn.execute(
            update(tenants).values(
                name="Zak Clinic Renamed", content_version=tenants.c.content_version + 1
            )
        )
    clock.now += 0.5
    assert "Zak Clinic Renamed" not in client.get(POST).text  # still within the second
    clock.now += 0.6
    fresh = client.get(POST)
    assert "Zak Clinic Renamed" in fresh.text and fresh.headers["X-Page-Cache"] == "miss"


def test_suspending_a_clinic_is_seen_within_the_time_to_live(demo, prod_app, client_for, clock):
    client = client_for(HOST, prod_app)
    assert client.get(POST).status_code == 200
    with prod_app.app_context(), db.engine.begin() as conn:
        conn.execute(update(Tenant.__table__).values(status="suspended"))
    clock.now += 1.1
    assert client.get(POST).status_code == 503


def test_hits_carry_the_same_headers_as_misses(demo, prod_app, client_for, clock):
    client = client_for(HOST, prod_app)
    miss, hit = client.get(POST), client.get(POST)
    assert (miss.headers["X-Page-Cache"], hit.headers["X-Page-Cache"]) == ("miss", "hit")

    def without_cache_state(response):
        return sorted((k, v) for k, v in response.headers if k != "X-Page-Cache")

    assert without_cache_state(miss) == without_cache_state(hit)
    assert "Content-Security-Policy" in hit.headers
    assert "X-Accel-Expires" not in hit.headers  # not behind the proxy cache


def test_behind_the_proxy_cache_pages_expire_at_the_end_of_the_second(
    demo, make_app, client_for, monkeypatch
):
    from meridian import pagecache

    monkeypatch.setattr(pagecache.time, "time", lambda: 1_700_000_000.9)
    behind = make_app(PROXY_CACHE_SECONDS=1)
    response = client_for(HOST, behind).get(POST)
    assert response.headers["X-Accel-Expires"] == "@1700000000"
    assert "X-Accel-Expires" not in client_for(HOST, behind).get("/book").headers


def test_a_request_without_a_session_cookie_opens_no_session(
    demo, prod_app, client_for, clock, monkeypatch
):
    def no_serializer(*args):
        raise AssertionError("the signing serializer was built for a cookie-less request")

    client = client_for(HOST, prod_app)
    client.get(POST)
    monkeypatch.setattr(type(prod_app.session_interface), "get_signing_serializer", no_serializer)
    response = client.get(POST)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_pages_are_served_when_the_shared_cache_is_down(demo, make_app, client_for, unused_port):
    down = f"redis://127.0.0.1:{unused_port}/0"
    broken = make_app(
        REDIS_URL=down, CACHE_TYPE="RedisCache", CACHE_REDIS_URL=down, PAGE_CACHE_LOCAL_ENTRIES=0
    )
    client = client_for(HOST, broken)
    for path in ("/", POST, "/blog", "/feed.xml"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["X-Page-Cache"] == "miss"


def test_while_the_database_is_down_known_hosts_keep_their_cached_pages(
    demo, prod_app, client_for, clock, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    client = client_for(HOST, prod_app)
    assert client.get(POST).status_code == 200
    clock.now += 5  # the host's entry has expired …

    def down(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", down)  # … and the database is unreachable
    response = client.get(POST)
    assert response.status_code == 200 and response.headers["X-Page-Cache"] == "hit"


def test_a_signed_in_reader_costs_no_user_query_on_a_cached_page(
    demo, prod_app, client_for, clock, make_member
):
    """Staff reading their own site: the session is read, the user never loaded."""
    from tests.factories import plant_session

    tenant = demo["zak-clinic"]
    user = make_member(tenant, "owner")
    client = client_for(HOST, prod_app)
    plant_session(client, HOST, user, tenant)
    assert client.get(POST).status_code == 200
    with sql_of(prod_app) as statements:
        response = client.get(POST)
    assert response.status_code == 200 and response.headers["X-Page-Cache"] == "hit"
    assert statements == []
    assert "Set-Cookie" not in response.headers
