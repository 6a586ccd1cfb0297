"""Property-based: whatever arrives in a path, a query or a form, no route answers 5xx,
and a refused request writes nothing.

The routes come from the URL map and the form fields from every FlaskForm subclass, so a
route or a form added later is covered the day it lands. Path arguments are a real
value (so the walk gets past 404 into the view) or arbitrary text; query parameters and
form fields get arbitrary text, numbers, dates with any offset and raw bytes, mixed with
the values the outside review found. Every request carries a valid CSRF token for its session, so form values reach
the validators instead of stopping at the token check (which has tests of its own);
studio and admin routes are walked signed out and signed in (the clinic's owner, a
platform admin), so their forms are fuzzed too.
Runs on SQLite and, in CI's second pass, on PostgreSQL (which refuses NUL in text).
"""

from __future__ import annotations

import re
from datetime import timedelta, timezone
from urllib.parse import quote

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from meridian import create_app
from meridian.booking.service import place_booking
from meridian.booking.tokens import make_token
from meridian.extensions import db
from meridian.models import (
    Comment,
    ContactMessage,
    Domain,
    Faq,
    Invitation,
    Location,
    MediaItem,
    Membership,
    Post,
    Service,
    Subscriber,
    Tenant,
    User,
    utcnow,
)

from .factories import plant_session

TENANT_HOST, PLATFORM_HOST = "zak-clinic.localhost", "localhost"
EXAMPLES = 10  # random examples per route and method, after the sweep

# Collected without a database: the URL map is built by create_app alone.
_MAP_APP = create_app({"TESTING": True, "SECRET_KEY": "collect-only"})
ROUTES = sorted(
    (rule.rule, rule.endpoint, method)
    for rule in _MAP_APP.url_map.iter_rules()
    for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
)
ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _form_fields() -> list[str]:
    """Every field name of every FlaskForm in the application (and future ones)."""
    names: set[str] = set()
    pending = list(FlaskForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        names.update(name for name in dir(form) if hasattr(getattr(form, name), "field_class"))
    return sorted(names)


FORM_FIELDS = _form_fields()
#: What the app reads from query strings (public pages, the booking flow, the studio).
QUERY_NAMES = ["page", "location", "service", "day", "start", "week", "view", "practitioner"]
QUERY_NAMES += ["status", "box", "next", "ended", "form", "sent", "done", "changed"]

#: The values the outside review sent, and their relatives.
NASTY = [
    "²",
    "٣",
    "１",
    "99999999999999999999",
    "9223372036854775807",
    "2147483648",
    "-1",
    "0",
    "",
    " 1",
    "1e3",
    "\x00",
    "a\x00b",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01",
    "9999-12-31",
    "Ada\r\nBcc: victim@example.com",
    "josé@bücher.example",
    "a" * 5000,
    "../../../etc/passwd",
    "%00",
    "\u2028",
]

#: The sweep's values: one of each kind of failure the review found.
SWEEP = [
    "²",
    "99999999999999999999",
    "-1",
    "a\x00b",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "Ada\r\nBcc: victim@example.com",
]

_no_surrogates = st.characters(exclude_categories=("Cs",))
_instants = st.builds(
    lambda moment, minutes: moment.replace(tzinfo=timezone(timedelta(minutes=minutes))).isoformat(),
    st.datetimes(),
    st.integers(-14 * 60 + 1, 14 * 60 - 1),
)
VALUES = st.one_of(
    st.sampled_from(NASTY),
    st.text(_no_surrogates, max_size=30),
    st.integers().map(str),
    st.dates().map(str),
    _instants,
    st.binary(max_size=12).map(lambda raw: raw.decode("latin-1")),
)


def _fill(rule: str, values: dict[str, str]) -> str:
    return ARGUMENT.sub(lambda m: quote(values[m.group(1)], safe=""), rule)


def _rows_for_staff_pages(zak, make_member, make_user) -> dict[str, str]:
    """A row behind each studio/admin path id (a comment, a message, a subscriber, an
    invitation, a media item, a second member), and the people who sign in: the
    clinic's owner for /studio/, a platform admin for /admin/."""
    owner = make_member(zak, "owner", email="owner@zak.test")
    editor = make_member(zak, "editor", email="editor@zak.test")
    admin = make_user("root@meridian.test", platform_admin=True)
    post = db.session.scalars(select(Post).filter_by(tenant_id=zak.id)).first()
    rows = {
        "comment_id": Comment(
            tenant_id=zak.id, post_id=post.id, author_name="Ada", body="Hello", status="held"
        ),
        "message_id": ContactMessage(
            tenant_id=zak.id, name="Ada", email="ada@example.com", body="A question"
        ),
        "subscriber_id": Subscriber(tenant_id=zak.id, email="sub@example.com", status="confirmed"),
        "invitation_id": Invitation(
            tenant_id=zak.id,
            email="new@example.com",
            role="editor",
            secret_hash="f" * 64,
            expires_at=utcnow() + timedelta(days=3),
        ),
        "item_id": MediaItem(tenant_id=zak.id, token="fuzzitem", width=10, height=10),
    }
    db.session.add_all(rows.values())
    db.session.flush()
    ids = {name: str(row.id) for name, row in rows.items()}
    member = db.session.scalars(select(Membership).filter_by(user_id=editor.id)).one()
    domain = db.session.scalars(select(Domain).filter_by(tenant_id=zak.id)).first()
    ids |= {"member_id": str(member.id), "tenant_id": str(zak.id)}
    ids |= {"domain_id": str(domain.id), "passkey_id": "1", "revision_id": "1", "run_id": "1"}
    faq = db.session.scalars(select(Faq).filter_by(tenant_id=zak.id)).first()
    ids |= {"post_id": str(post.id), "faq_id": str(faq.id) if faq else "1"}
    db.session.commit()
    return ids | {"_owner": str(owner.id), "_admin": str(admin.id), "_zak": str(zak.id)}


@pytest.fixture
def world(app, make_app, demo, next_free, make_member, make_user):
    """A clinic with a booking, real values for every path argument (studio and admin
    ones included), the people who sign in, and the app to walk."""
    zak = demo["zak-clinic"]
    with app.app_context():
        staff_rows = _rows_for_staff_pages(zak, make_member, make_user)
    with app.app_context():
        service = db.session.scalars(
            select(Service).filter_by(tenant_id=zak.id, online_bookable=True)
        ).first()
        location = db.session.get(Location, zak.locations[0].id)
    start = next_free(zak, service, 3, location.id)
    with app.test_request_context(base_url=f"http://{TENANT_HOST}"):
        location = db.session.get(Location, zak.locations[0].id)
        service = db.session.get(Service, service.id)
        booking = place_booking(
            zak,
            location,
            service,
            start,
            name="Ada",
            email="ada@example.com",
            phone="+442079460018",
        )
        real = {
            "slug": "can-acupuncture-help-with-dry-eye",
            "filename": "css/site.css",
            "reference": booking.reference,
            "booking_id": str(booking.id),
            "token": make_token(booking, "cancel"),
            "booking.reschedule:token": make_token(booking, "reschedule"),
            "site.tag:slug": "immune-health",
            "site.location:slug": "pimlico",
            "location": str(location.id),
            "service": str(service.id),
            "start": next_free(zak, service, 9, location.id).isoformat(),
            "email": "grace@example.com",
            "phone": "020 7946 0999",
            "consent": "y",
            "name": "Grace",
            "day": start.date().isoformat(),
            "page": "1",
        } | staff_rows
    fuzz_app = make_app()
    return fuzz_app, real


#: Rows a refused request may write on purpose: the audit log of refused sign-ins, and
#: the 404 watch's count of the paths that answered 404 on a clinic's host.
AUDIT_TABLES = {"audit_event", "missing_path"}


def _fields_of_form(client, url: str, query: dict, real: dict) -> dict[str, str]:
    """The fields of the form this URL shows (GET), with real values where known: the
    sweep sends each known-bad value to each of them. (Random input covers the rest.)"""
    with client.get(url, query_string=query) as page:
        html = page.get_data(as_text=True) if page.status_code == 200 else ""
    names = set(re.findall(r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"', html))
    return {name: real.get(name, "x") for name in sorted(names - {"csrf_token"})}


#: Who sends the request: signed out, or signed in as the area's user (so the studio's
#: and the admin console's forms reach their validators instead of the sign-in page).
AREA_USER = {"studio": "_owner", "admin": "_admin"}


def _session(client, host: str, endpoint: str, real: dict, fuzz_app, signed_in: bool) -> str:
    """Plant a fresh session (signed in as the area's user, or signed out) and return
    its CSRF token. Fresh each time: a walked sign-out-everywhere bumps the user's
    session version, which ends older cookies."""
    area = endpoint.partition(".")[0]
    with fuzz_app.app_context():
        user = db.session.get(User, int(real[AREA_USER[area]])) if signed_in else None
        tenant = db.session.get(Tenant, int(real["_zak"])) if area == "studio" else None
        return plant_session(client, host, user, tenant if user else None)


def _row_counts() -> tuple[int, ...]:
    tables = [t.name for t in db.metadata.sorted_tables if t.name not in AUDIT_TABLES]
    sql = "SELECT " + ", ".join(f'(SELECT count(*) FROM "{name}")' for name in tables)
    return tuple(db.session.execute(text(sql)).one())


@pytest.mark.parametrize(("rule", "endpoint", "method"), ROUTES)
def test_no_input_answers_5xx_or_writes_when_refused(world, client_for, rule, endpoint, method):
    fuzz_app, real = world
    arguments = ARGUMENT.findall(rule)
    real = {name: real.get(f"{endpoint}:{name}", value) for name, value in real.items()}

    area = endpoint.partition(".")[0]
    area_host = {"studio": TENANT_HOST, "admin": PLATFORM_HOST}.get(area)
    whos = [False, True] if area_host else [False]

    def check(host, path, query, form, signed_in=False):
        url = _fill(rule, path)
        client = client_for(host, fuzz_app)
        token = _session(client, host, endpoint, real, fuzz_app, signed_in)
        writes = method != "GET"  # GETs are checked once, over the whole walk (below)
        if writes:
            with fuzz_app.app_context():
                before = _row_counts()
        with client.open(
            url,
            method=method,
            query_string=query,
            data=form | {"csrf_token": token} if method == "POST" else None,
        ) as response:
            status, mimetype = response.status_code, response.mimetype
            body = response.get_data(as_text=True) if mimetype == "text/html" else ""
        who = "signed in" if signed_in else "signed out"
        where = f"{who}: {method} {host}{url} {query!r} {form!r} -> {status}"
        assert status < 500, where
        if writes and status >= 400:
            with fuzz_app.app_context():
                assert _row_counts() == before, f"rows written by a refused request: {where}"
        if (
            status >= 400
            and host == TENANT_HOST
            and mimetype == "text/html"
            and not endpoint.startswith("health.")  # answers on any host, plainly
        ):
            assert "Zak Clinic" in body, f"error page without the clinic's look: {where}"

    def value_for(name: str):
        """The real value (to get past the first check), a known-bad one, or anything."""
        known_bad = st.sampled_from(NASTY)
        if name in real:
            return st.one_of(st.just(real[name]), known_bad, VALUES)
        return st.one_of(known_bad, VALUES)

    def params(names: list[str]):
        """Any subset of the names the app reads, plus a few it does not."""
        named = st.fixed_dictionaries({}, optional={name: value_for(name) for name in names})
        other = st.dictionaries(st.text(_no_surrogates, min_size=1, max_size=8), VALUES, max_size=2)
        return st.tuples(named, other).map(lambda pair: pair[1] | pair[0])

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        host=st.sampled_from([TENANT_HOST, TENANT_HOST, PLATFORM_HOST]),
        path=st.fixed_dictionaries({name: value_for(name) for name in arguments}),
        query=params(QUERY_NAMES),
        form=params(FORM_FIELDS) if method == "POST" else st.just({}),
        signed_in=st.sampled_from(whos),
    )
    def probe(host, path, query, form, signed_in):
        # A signed-in request goes to its area's host (elsewhere the cookie is refused).
        check(area_host if signed_in else host, path, query, form, signed_in)

    # First a sweep: every name this route could read gets each value the review
    # found, one at a time, with real values everywhere else (so the view goes deep).
    with fuzz_app.app_context():
        at_start = _row_counts()
    base_path = {name: real.get(name, "x") for name in arguments}
    base_query = {name: real[name] for name in QUERY_NAMES if name in real}
    for signed_in in whos:
        host = area_host if signed_in else TENANT_HOST
        base_form = {}
        if method == "POST":
            reader = client_for(host, fuzz_app)
            _session(reader, host, endpoint, real, fuzz_app, signed_in)
            base_form = _fields_of_form(reader, _fill(rule, base_path), base_query, real)
        check(host, base_path, base_query, base_form, signed_in)
        for bad in SWEEP:
            for name in base_path:
                check(host, base_path | {name: bad}, base_query, base_form, signed_in)
            for name in QUERY_NAMES:
                check(host, base_path, base_query | {name: bad}, base_form, signed_in)
            for name in base_form:
                check(host, base_path, base_query, base_form | {name: bad}, signed_in)
    # Then arbitrary input, shrunk to the smallest failing case if one is found.
    probe()
    if method == "GET":
        with fuzz_app.app_context():
            assert _row_counts() == at_start, f"a GET of {rule} wrote rows"


def test_every_route_is_walked():
    endpoints = {endpoint for _, endpoint, _ in ROUTES}
    assert {"site.blog", "site.tag", "site.post", "booking.details", "booking.cancel"} <= endpoints
    assert {"studio.staff", "studio.invite", "admin.domain_add", "studio.sign_in"} <= endpoints
    assert {"name", "email", "phone", "reason", "start", "location"} <= set(FORM_FIELDS)
    assert {"password", "display_name", "alt", "body"} <= set(FORM_FIELDS)
