"""Shared fixtures.

The database is built once per run by the real migrations (SQLite in a temporary
folder by default, PostgreSQL when TEST_DATABASE_URL is set) and emptied after every
test. Builders (`make_tenant`, `make_post`) and a host-bound client (`client_for`)
keep each test short; `demo` loads both demo clinic bundles.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event

from meridian import create_app, hosts, pagecache
from meridian.bundles import load_bundle
from meridian.extensions import cache, db
from meridian.markdown import render_markdown
from meridian.models import (
    Domain,
    Location,
    OpeningHours,
    Post,
    Practitioner,
    PractitionerHours,
    PractitionerService,
    Service,
    Tag,
    Tenant,
)

from .factories import (
    DEMO_HOSTS,
    PLATFORM_HOST,
    ROOT,
    build_member,
    build_user,
    csrf_token,
    plant_session,
    prepare_postgres,
    saved,
)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        prepare_postgres(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PUBLIC_SCHEME": "http",
            "PUBLIC_PORT": "",
            "CACHE_TYPE": "SimpleCache",
            "TENANTS_DIR": str(ROOT / "tenants"),
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
            "MAIL_BACKEND": "file",
            "MAIL_FROM": "bookings@meridian.test",
            "MAIL_DELIVER_INLINE": False,
            "RATE_LIMITS_ENABLED": False,
            # Production remembers host -> tenant for a second and pages in-process;
            # tests edit rows behind the app's back, so they opt in (test_hot_path.py).
            "TENANT_CACHE_SECONDS": 0,
            "PAGE_CACHE_LOCAL_ENTRIES": 0,
            # Cheap argon2id in tests (the rehash test raises it again).
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_KIB": 64,
            "ARGON2_PARALLELISM": 1,
        }
    )
    with application.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def make_app(app: Flask) -> Iterator:
    """`make_app(PUBLIC_SCHEME="https")`: the test app's config with overrides, same database."""
    built: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        variant = create_app(dict(app.config) | overrides)
        built.append(variant)
        return variant

    yield make
    for variant in built:
        with variant.app_context():
            db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(app: Flask) -> Iterator[None]:
    """Each test starts with an empty database and an empty page cache."""
    yield
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        cache.clear()
    hosts.forget()
    pagecache.forget_local()


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An application context for tests that use the ORM directly."""
    with app.app_context():
        yield


class HostClient(FlaskClient):
    """A test client whose requests carry one Host header (set by `client_for`)."""

    host = "localhost"

    def open(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("base_url", f"http://{self.host}")
        return super().open(*args, **kwargs)

    def session_transaction(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("base_url", f"http://{self.host}")
        return super().session_transaction(*args, **kwargs)


@pytest.fixture
def client_for(app: Flask):
    """`client_for("zak-clinic.localhost")` or `client_for(tenant)`: a client on that host."""

    def make(target: str | Tenant, application: Flask | None = None) -> FlaskClient:
        flask_app = application or app
        flask_app.test_client_class = HostClient
        client = flask_app.test_client()
        client.host = target if isinstance(target, str) else target.primary_host
        return client

    return make


WEEKDAY_HOURS = [(day, time(9, 0), time(17, 0)) for day in range(5)]


@pytest.fixture
def make_tenant(app: Flask):
    """Build a tenant with a primary domain and one location open Mon-Fri 9-5, where
    one practitioner ("Pat Example", slug `pat`) works those hours."""

    def make(
        slug: str = "clinic-a",
        host: str | None = None,
        *,
        timezone: str = "Europe/London",
        status: str = "active",
        aliases: tuple[str, ...] = (),
        **fields: Any,
    ) -> Tenant:
        with app.app_context():
            tenant = Tenant(
                slug=slug,
                name=fields.pop("name", slug.replace("-", " ").title()),
                status=status,
                social={},
                **fields,
            )
            tenant.domains.append(Domain(hostname=host or f"{slug}.test", is_primary=True))
            for alias in aliases:
                tenant.domains.append(Domain(hostname=alias, is_primary=False))
            location = Location(
                slug="main",
                name="Main clinic",
                street="1 High Street",
                city="Town",
                postcode="AB1 2CD",
                country="GB",
                phone="+44 20 7946 0000",
                email=f"hello@{slug}.test",
                timezone=timezone,
                latitude=51.5,
                longitude=-0.1,
            )
            tenant.locations.append(location)
            db.session.add(tenant)
            db.session.flush()
            for weekday, opens, closes in WEEKDAY_HOURS:
                location.hours.append(
                    OpeningHours(tenant_id=tenant.id, weekday=weekday, opens=opens, closes=closes)
                )
            practitioner = Practitioner(tenant_id=tenant.id, slug="pat", name="Pat Example")
            db.session.add(practitioner)
            db.session.flush()
            for weekday, opens, closes in WEEKDAY_HOURS:
                practitioner.hours.append(
                    PractitionerHours(
                        tenant_id=tenant.id,
                        location_id=location.id,
                        weekday=weekday,
                        opens=opens,
                        closes=closes,
                    )
                )
            db.session.commit()
            db.session.refresh(tenant)
            _ = tenant.domains, tenant.locations  # load before detaching
            db.session.expunge_all()
            return tenant

    return make


@pytest.fixture
def make_post(app: Flask):
    """Add a post to a tenant; published a day ago unless told otherwise."""

    def make(
        tenant: Tenant,
        slug: str = "hello",
        *,
        title: str | None = None,
        body: str = "Some words.",
        published_at: datetime | None | str = "default",
        tags: tuple[str, ...] = (),
        **fields: Any,
    ) -> Post:
        when = datetime.now(UTC) - timedelta(days=1) if published_at == "default" else published_at
        with app.app_context():
            post = Post(
                tenant_id=tenant.id,
                slug=slug,
                title=title or slug.replace("-", " ").title(),
                body_md=body,
                body_html=render_markdown(body),
                published_at=when,
                **fields,
            )
            for name in tags:
                tag = db.session.scalars(
                    db.select(Tag).filter_by(tenant_id=tenant.id, slug=name)
                ).first()
                post.tags.append(tag or Tag(tenant_id=tenant.id, slug=name, name=name))
            return saved(post)

    return make


@pytest.fixture
def demo(app: Flask) -> dict[str, Tenant]:
    """Both demo clinics loaded from their bundles, keyed by slug."""
    with app.app_context():
        for slug in DEMO_HOSTS:
            load_bundle(ROOT / "tenants" / slug)
        tenants = {t.slug: t for t in db.session.scalars(db.select(Tenant))}
        for tenant in tenants.values():
            _ = tenant.domains, tenant.locations
        db.session.expunge_all()
        return tenants


@pytest.fixture
def set_theme(app: Flask):
    """`set_theme("zak-clinic", "warm")`: a clinic wears another theme (its pages' cache
    moves on with the content version, as when the owner changes it)."""

    def apply(slug: str, theme: str) -> None:
        with app.app_context():
            tenant = db.session.scalars(db.select(Tenant).filter_by(slug=slug)).one()
            tenant.theme = theme
            db.session.commit()

    return apply


@pytest.fixture
def remove_photos(app: Flask):
    """`remove_photos("zak-clinic")`: the clinic as it is before it adds any photograph
    (no hero, no post covers, no practitioner portraits), to show each theme still
    looks finished."""

    def strip(slug: str) -> None:
        with app.app_context():
            tenant = db.session.scalars(db.select(Tenant).filter_by(slug=slug)).one()
            tenant.hero_media_id = None
            for post in db.session.scalars(db.select(Post).filter_by(tenant_id=tenant.id)):
                post.cover_media_id = None
            for person in db.session.scalars(
                db.select(Practitioner).filter_by(tenant_id=tenant.id)
            ):
                person.photo_media_id = person.photo = None
            tenant.content_version += 1  # as any edit does: the cached pages move on
            db.session.commit()

    return strip


@pytest.fixture
def count_queries(app: Flask):
    """`with count_queries() as queries: ...` then `len(queries)` is the SQL statements run."""
    from contextlib import contextmanager

    @contextmanager
    def counter() -> Iterator[list[str]]:
        statements: list[str] = []
        with app.app_context():
            engine = db.engine

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counter


@pytest.fixture
def make_service(app: Flask):
    """Add an online-bookable service to a tenant (15 minutes + 5 buffer by default),
    offered by every practitioner of the tenant (or only those in `offered_by`)."""

    def make(
        tenant: Tenant, slug: str = "consult", offered_by: tuple[str, ...] | None = None, **fields
    ) -> Service:
        values = {
            "name": slug.replace("-", " ").title(),
            "duration_minutes": 15,
            "buffer_minutes": 5,
            "min_notice_minutes": 120,
            "horizon_days": 60,
        } | fields
        with app.app_context():
            service = saved(Service(tenant_id=tenant.id, slug=slug, **values))
            team = db.session.scalars(db.select(Practitioner).filter_by(tenant_id=tenant.id)).all()
            for practitioner in team:
                if offered_by is None or practitioner.slug in offered_by:
                    db.session.add(
                        PractitionerService(
                            tenant_id=tenant.id,
                            practitioner_id=practitioner.id,
                            service_id=service.id,
                        )
                    )
            db.session.commit()
            return service

    return make


@pytest.fixture
def add_location(app: Flask):
    """`add_location(tenant, "annex", practitioners=("pat",))`: a second location open
    Mon-Fri 9-5, where those practitioners also work Mon-Fri 9-5. Returns its id."""

    def make(tenant: Tenant, slug: str = "annex", practitioners=("pat",), **fields) -> int:
        with app.app_context():
            location = Location(
                tenant_id=tenant.id,
                slug=slug,
                name=fields.pop("name", slug.title()),
                street="2 Side Street",
                city="Town",
                country="GB",
                timezone=fields.pop("timezone", "Europe/London"),
                position=1,
                **fields,
            )
            db.session.add(location)
            db.session.flush()
            for weekday, opens, closes in WEEKDAY_HOURS:
                location.hours.append(
                    OpeningHours(tenant_id=tenant.id, weekday=weekday, opens=opens, closes=closes)
                )
            _works_at(tenant, location, practitioners)
            db.session.commit()
            return location.id

    return make


def _works_at(tenant: Tenant, location: Location, slugs, hours=WEEKDAY_HOURS) -> None:
    team = db.session.scalars(
        db.select(Practitioner).filter_by(tenant_id=tenant.id).where(Practitioner.slug.in_(slugs))
    )
    for practitioner in team:
        for weekday, opens, closes in hours:
            db.session.add(
                PractitionerHours(
                    tenant_id=tenant.id,
                    practitioner_id=practitioner.id,
                    location_id=location.id,
                    weekday=weekday,
                    opens=opens,
                    closes=closes,
                )
            )


@pytest.fixture
def add_practitioner(app: Flask):
    """`add_practitioner(tenant, "sam")`: another practitioner, working Mon-Fri 9-5 at
    the main location (or `hours`), offering every service the tenant has. Returns id."""

    def make(tenant: Tenant, slug: str = "sam", hours=WEEKDAY_HOURS, **fields) -> int:
        with app.app_context():
            practitioner = Practitioner(
                tenant_id=tenant.id,
                slug=slug,
                name=fields.pop("name", slug.title() + " Example"),
                position=fields.pop("position", 1),
                **fields,
            )
            db.session.add(practitioner)
            db.session.flush()
            location = db.session.get(Location, tenant.locations[0].id)
            _works_at(tenant, location, (slug,), hours)
            for service_id in db.session.scalars(
                db.select(Service.id).filter_by(tenant_id=tenant.id)
            ):
                db.session.add(
                    PractitionerService(
                        tenant_id=tenant.id, practitioner_id=practitioner.id, service_id=service_id
                    )
                )
            db.session.commit()
            return practitioner.id

    return make


@pytest.fixture
def next_free(app: Flask):
    """`next_free(tenant, service)` -> the first free start (UTC) at the main location."""
    from meridian.booking.availability import availability

    def find(tenant: Tenant, service: Service, index: int = 0, location_id: int | None = None):
        with app.app_context():
            location = db.session.get(Location, location_id or tenant.locations[0].id)
            svc = db.session.get(Service, service.id)
            slots = availability(location, svc).slots
            # Keep clear of the minimum-notice edge, so the slot is still bookable
            # a few seconds later when the test posts it.
            edge = datetime.now(UTC) + timedelta(minutes=svc.min_notice_minutes + 10)
            every = [s for day in sorted(slots) for s in slots[day] if s >= edge]
            return every[index]

    return find


@pytest.fixture
def book_via_http(client_for):
    """Walk the details step like a browser: GET the form, POST it back with its token."""

    def book(tenant: Tenant, service: Service, start: datetime, client=None, **fields: Any):
        client = client or client_for(tenant)
        location_id = fields.pop("location_id", tenant.locations[0].id)
        page = client.get(
            "/book/details",
            query_string={
                "location": location_id,
                "service": service.id,
                "start": start.isoformat(),
            },
        )
        assert page.status_code == 200, page.text
        data = {
            "csrf_token": csrf_token(page.text),
            "location": str(location_id),
            "service": str(service.id),
            "start": start.isoformat(),
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "phone": "020 7946 0018",
            "reason": "",
            "consent": "y",
        } | fields
        data = {k: v for k, v in data.items() if v is not None}
        return client.post("/book/details", data=data)

    return book


@pytest.fixture
def unused_port() -> int:
    """A loopback TCP port nothing listens on (a service that is down)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def make_user(app: Flask):
    """`make_user("ann@example.com", platform_admin=True)`: a user with password PASSWORD."""

    def make(email: str | None = None, **fields: Any):
        return build_user(app, email, **fields)

    return make


@pytest.fixture
def make_member(app: Flask):
    """`make_member(tenant, "editor")`: a (new, unless `user=`) user with that role there."""

    def make(tenant: Tenant, role: str = "owner", **fields: Any):
        return build_member(app, tenant, role, **fields)

    return make


@pytest.fixture
def signed_in_client(app: Flask, client_for, make_member):
    """`signed_in_client(tenant, "editor")`: a client on the clinic's host, signed in as a
    new member with that role (or as `user=`). `client.user` is the user, and
    `client.csrf` a CSRF token for its session."""

    def make(tenant: Tenant, role: str = "owner", user=None, **fields: Any):
        user = user or make_member(tenant, role, **fields)
        client = client_for(tenant)
        client.csrf = plant_session(client, tenant.primary_host, user, tenant)
        client.user = user
        return client

    return make


@pytest.fixture
def admin_client(app: Flask, client_for, make_user):
    """`admin_client()`: a client on the platform host signed in as a platform admin."""

    def make(user=None, **fields: Any):
        user = user or make_user(fields.pop("email", "admin@meridian.test"), platform_admin=True)
        client = client_for(PLATFORM_HOST)
        client.csrf = plant_session(client, PLATFORM_HOST, user, None)
        client.user = user
        return client

    return make
