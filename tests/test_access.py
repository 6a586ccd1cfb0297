"""Every /studio/ and /admin/ route, every method, against the people who must not get in.

The routes are read from the URL map, and each view's declared access (meridian.auth.access)
says who may use it, so a route added tomorrow is covered without touching this file.
Refused means 401/403/404 or a redirect to sign-in, and not one row changed anywhere.
"""

from __future__ import annotations

import pytest
from flask import Flask

from meridian import create_app
from meridian.auth.access import GUARDED_BLUEPRINTS, Access, undeclared_views
from meridian.models import ROLES

from .factories import PLATFORM_HOST, plant_session, row_counts

_APP = create_app(
    {"TESTING": True, "SECRET_KEY": "collect", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
)
#: URL arguments by converter, so the rule matches; the access check runs before the view.
PLACEHOLDERS = {"int": 1, "default": "sample", "path": "sample", "string": "sample"}


def guarded_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for each method of each studio/admin rule."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.partition(".")[0] not in GUARDED_BLUEPRINTS:
            continue
        values = {
            name: PLACEHOLDERS.get(type(conv).__name__.removesuffix("Converter").lower(), "1")
            for name, conv in rule._converters.items()
        }
        url = app.url_map.bind("localhost").build(rule.endpoint, values)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, url))
    return sorted(routes)


ROUTES = guarded_routes(_APP)


def access(endpoint: str) -> Access:
    return _APP.view_functions[endpoint].access


def test_the_walk_sees_both_areas():
    endpoints = {endpoint for endpoint, _, _ in ROUTES}
    assert {"studio.home", "studio.sign_in", "admin.home", "admin.sign_in"} <= endpoints


def test_every_studio_and_admin_view_declares_its_access():
    assert undeclared_views(_APP) == []


def test_an_undeclared_view_is_named_and_refused_even_to_the_owner(
    make_app, make_tenant, signed_in_client
):
    """Deny by default: create_app refuses to start with such a view (it calls
    undeclared_views); one added behind its back is still refused at run time."""
    variant = make_app()
    variant.add_url_rule("/studio/sneaky", "studio.sneaky", lambda: "served")
    assert undeclared_views(variant) == ["studio.sneaky"]
    clinic = make_tenant("clinic-a")
    client = signed_in_client(clinic, "owner")
    client.application = variant
    assert client.get("/studio/").status_code == 200
    assert client.get("/studio/sneaky").status_code == 403


@pytest.fixture
def world(make_tenant, make_member, make_user):
    """Clinic A with one member per role (and an alias domain), clinic B's owner, an admin."""
    a = make_tenant("clinic-a", aliases=("www.clinic-a.test",))
    b = make_tenant("clinic-b")
    members = {role: make_member(a, role) for role in ROLES}
    return {
        "a": a,
        "b": b,
        "members": members,
        "b_owner": make_member(b, "owner"),
        "admin": make_user("root@meridian.test", platform_admin=True),
    }


def _refused(response, where: str) -> None:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        assert "/sign-in" in response.headers["Location"], where
    else:
        assert status in (401, 403, 404), f"{where}: {status}"


def _send(client, method: str, url: str, token: str):
    data = {"csrf_token": token} if method != "GET" else None
    return client.open(url, method=method, data=data)


@pytest.mark.parametrize(("endpoint", "method", "url"), ROUTES)
def test_outsiders_are_refused_and_nothing_changes(app, client_for, world, endpoint, method, url):
    a, b = world["a"], world["b"]
    rule = access(endpoint)
    area = endpoint.partition(".")[0]
    host = a.primary_host if area == "studio" else PLATFORM_HOST
    visitors = []  # (who, user, session made on tenant (None: platform), sent to host)
    visitors.append(("signed-out visitor", None, None, host))
    if area == "studio":
        visitors.append(("clinic B's owner (cookie replayed)", world["b_owner"], b, host))
        visitors.append(("platform admin (cookie replayed)", world["admin"], None, host))
        for role in ROLES:
            if rule.roles and role not in rule.roles:
                visitors.append((f"{role} of clinic A", world["members"][role], a, host))
    else:
        owner = world["members"]["owner"]
        visitors.append(("clinic A's owner (cookie replayed)", owner, a, PLATFORM_HOST))
        visitors.append(("clinic A's owner, made on the platform host", owner, None, host))
    for who, user, made_on, sent_to in visitors:
        client = client_for(sent_to)
        token = plant_session(client, sent_to, user, made_on)
        before = row_counts(app)
        response = _send(client, method, url, token)
        where = f"{who}: {method} {url}"
        assert response.status_code < 500, where
        if not rule.anonymous:
            _refused(response, where)
        assert row_counts(app) == before, f"{where} changed the database"


@pytest.mark.parametrize(("endpoint", "method", "url"), ROUTES)
def test_the_wrong_host_never_serves_the_area(client_for, world, endpoint, method, url):
    """A clinic host never serves /admin/; the platform host never serves /studio/."""
    area = endpoint.partition(".")[0]
    host = PLATFORM_HOST if area == "studio" else world["a"].primary_host
    client = client_for(host)
    token = plant_session(client, host, None, None)  # past CSRF, to reach the host check
    assert _send(client, method, url, token).status_code == 404


@pytest.mark.parametrize(
    ("endpoint", "method", "url"), [r for r in ROUTES if r[1] == "GET" and access(r[0]).signed_in]
)
def test_the_declared_roles_do_get_in(client_for, world, endpoint, method, url):
    """The control: the refusals above come from the rule, not from a broken page."""
    rule = access(endpoint)
    if endpoint.startswith("admin."):
        client = client_for(PLATFORM_HOST)
        plant_session(client, PLATFORM_HOST, world["admin"], None)
        allowed = [client]
    else:
        allowed = []
        for role in sorted(rule.roles):
            client = client_for(world["a"])
            plant_session(client, world["a"].primary_host, world["members"][role], world["a"])
            allowed.append(client)
    for client in allowed:
        response = client.get(url)
        assert response.status_code not in (401, 403), f"{endpoint}: {response.status_code}"
        assert "/sign-in" not in response.headers.get("Location", "")


def test_an_alias_domain_redirects_to_the_primary_first(client_for, world):
    response = client_for("www.clinic-a.test").get("/studio/sign-in?next=/studio/")
    assert response.status_code == 302
    assert response.headers["Location"] == "http://clinic-a.test/studio/sign-in?next=/studio/"


def test_studio_and_admin_pages_are_never_stored(signed_in_client, admin_client, world):
    for response in (
        signed_in_client(world["a"], user=world["members"]["owner"]).get("/studio/"),
        admin_client(user=world["admin"]).get("/admin/"),
    ):
        assert response.status_code == 200
        assert "no-store" in response.headers["Cache-Control"]
