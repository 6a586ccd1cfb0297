"""Security headers on every response: each route of the URL map, and the error pages.

The walk covers whatever blueprints are registered, so a new route (booking, studio,
admin) is checked the day it lands. Arguments come from SAMPLE_ARGS; an unknown
argument gets a placeholder, which usually means a 404 — still a response that must
carry the headers.
"""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.routing import IntegerConverter

from meridian.extensions import db
from meridian.models import Tenant

TENANT_HOST = "zak-clinic.localhost"
PLATFORM_HOST = "localhost"

#: Real values for URL arguments, so that most routes answer 200 (by argument name,
#: or by "endpoint:argument" when one endpoint needs its own value).
SAMPLE_ARGS = {
    "site.post:slug": "can-acupuncture-help-with-dry-eye",
    "site.tag:slug": "immune-health",
    "site.location:slug": "pimlico",
    "site.brand_asset:filename": "logo.svg",
    "static:filename": "css/site.css",
}
PLACEHOLDER = "sample"
#: Endpoints (by blueprint, or bare name) that only readers use: never a cookie, on any
#: route they will ever have. Booking and signed-in areas may set a session.
READER_BLUEPRINTS = {"site", "index", "static", "directory", "media", "engagement", "privacy"}


def directives(csp: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            parsed[words[0].lower()] = [w.lower() for w in words[1:]]
    return parsed


def assert_security_headers(response, *, hsts: bool = False) -> None:
    """The headers every response must carry, whatever its status."""
    where = f"{response.request.method} {response.request.url} -> {response.status_code}"
    headers = response.headers
    csp = headers.get("Content-Security-Policy")
    assert csp, f"no CSP on {where}"
    policy = directives(csp)
    scripts = policy.get("script-src", policy.get("default-src"))
    assert scripts is not None, f"CSP limits no scripts on {where}"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, where
    assert "*" not in scripts and "data:" not in scripts, where
    assert policy.get("object-src") == ["'none'"], where
    assert policy.get("base-uri") == ["'none'"], where
    assert policy.get("frame-ancestors") == ["'none'"], where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") in {
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    }, where
    assert headers.get("Cross-Origin-Opener-Policy") == "same-origin", where
    assert headers.get("Permissions-Policy"), where
    if hsts:
        assert headers.get("Strict-Transport-Security", "").startswith("max-age="), where
    else:
        assert "Strict-Transport-Security" not in headers, where


def _placeholder(rule, arg: str):
    """A value the argument's converter accepts (a number for `<int:…>`)."""
    return 1 if isinstance(rule._converters.get(arg), IntegerConverter) else PLACEHOLDER


def sample_url(app: Flask, rule) -> str:
    values = {
        arg: SAMPLE_ARGS.get(
            f"{rule.endpoint}:{arg}", SAMPLE_ARGS.get(arg, _placeholder(rule, arg))
        )
        for arg in rule.arguments
    }
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        return adapter.build(rule.endpoint, values)


def every_route(app: Flask):
    """(method, url, rule) for each rule and each of its methods but HEAD and OPTIONS."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        url = sample_url(app, rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, url, rule


def test_the_walk_covers_the_public_pages(app):
    endpoints = {rule.endpoint for _, _, rule in every_route(app)}
    assert {"index", "site.post", "site.blog", "site.faq", "site.contact", "static"} <= endpoints


@pytest.mark.parametrize("host", [TENANT_HOST, PLATFORM_HOST])
def test_every_route_carries_the_security_headers(demo, client_for, app, host):
    client = client_for(host)
    seen = 0
    ok = set()
    for method, url, rule in every_route(app):
        with client.open(url, method=method) as response:
            assert_security_headers(response)
            if method == "GET" and rule.endpoint.partition(".")[0] in READER_BLUEPRINTS:
                assert "Set-Cookie" not in response.headers, f"cookie set by {url}"
            if response.status_code == 200:
                ok.add(rule.endpoint)
        seen += 1
    assert seen >= 12
    if host == TENANT_HOST:
        # The sample arguments are real: the walk reached each public page, not a 404.
        assert {
            "index",
            "site.blog",
            "site.tag",
            "site.post",
            "site.faq",
            "site.contact",
            "site.location",
            "site.feed",
            "site.sitemap",
            "site.robots",
            "site.theme",
            "site.brand_asset",
            "static",
        } <= ok


def test_conditional_and_head_responses_carry_them_too(demo, client_for):
    client = client_for(TENANT_HOST)
    first = client.get("/faq")
    assert_security_headers(client.head("/faq"))
    not_modified = client.get("/faq", headers={"If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304
    assert_security_headers(not_modified)


def test_405_carries_headers(demo, client_for):
    response = client_for(TENANT_HOST).post("/faq")
    assert response.status_code == 405
    assert_security_headers(response)


@pytest.mark.parametrize(
    ("host", "path"),
    [
        (TENANT_HOST, "/no-such-page"),
        (TENANT_HOST, "/blog/no-such-post"),
        ("unknown.example", "/"),
        (PLATFORM_HOST, "/blog"),
    ],
)
def test_404_pages_carry_headers(demo, client_for, host, path):
    response = client_for(host).get(path)
    assert response.status_code == 404
    assert_security_headers(response)
    assert "Set-Cookie" not in response.headers


def test_503_for_a_suspended_clinic_carries_headers(make_tenant, client_for):
    tenant = make_tenant("sleepy", status="suspended")
    response = client_for(tenant).get("/blog")
    assert response.status_code == 503
    assert_security_headers(response)


@pytest.fixture
def production_app(make_app) -> Flask:
    """The same database in production mode (no TESTING, no DEBUG), with a route that fails."""
    prod = make_app(
        TESTING=False, DEBUG=False, PROPAGATE_EXCEPTIONS=None, SECRET_KEY="0123456789abcdef" * 4
    )

    @prod.get("/__test_only_boom")
    def boom():
        raise RuntimeError("secret-internal-detail in /srv/meridian/views.py")

    @prod.get("/__test_only_db_boom")
    def db_boom():
        db.session.execute(db.text("SELECT * FROM no_such_table_here"))
        return "unreachable"

    assert not prod.debug and not prod.testing
    return prod


@pytest.mark.parametrize("path", ["/__test_only_boom", "/__test_only_db_boom"])
@pytest.mark.parametrize("host", [TENANT_HOST, PLATFORM_HOST])
def test_500_page_has_headers_and_no_stack_trace(
    demo, client_for, production_app, host, path, caplog
):
    response = client_for(host, production_app).get(path)
    assert response.status_code == 500
    assert_security_headers(response)
    body = response.text
    assert "Something went wrong" in body
    for leak in ("Traceback", "secret-internal-detail", "RuntimeError", "no_such_table", ".py"):
        assert leak not in body
    assert "Set-Cookie" not in response.headers
    # The detail goes to the log, where it belongs.
    assert any(record.exc_info for record in caplog.records)


def test_the_session_still_works_after_a_database_error(demo, client_for, production_app):
    client = client_for(TENANT_HOST, production_app)
    assert client.get("/__test_only_db_boom").status_code == 500
    assert client.get("/faq").status_code == 200


def test_hsts_when_configured(demo, client_for, make_app):
    with_hsts = make_app(HSTS_SECONDS=31_536_000)
    for host, path in [(TENANT_HOST, "/"), (TENANT_HOST, "/missing"), (PLATFORM_HOST, "/")]:
        response = client_for(host, with_hsts).get(path)
        assert_security_headers(response, hsts=True)
        assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_hsts_on_a_503_too(make_tenant, client_for, make_app):
    tenant = make_tenant("sleepy", status="suspended")
    with_hsts = make_app(HSTS_SECONDS=600)
    response = client_for(tenant, with_hsts).get("/")
    assert response.status_code == 503
    assert_security_headers(response, hsts=True)


def test_no_inline_script_or_style_on_public_pages(demo, client_for):
    """The CSP forbids inline script/style; the pages must not need them.

    JSON-LD (`type="application/ld+json"`) is data, not script, and CSP allows it.
    """
    import re

    client = client_for(TENANT_HOST)
    for path in ["/", "/blog", "/blog/can-acupuncture-help-with-dry-eye", "/faq", "/contact"]:
        html = client.get(path).text
        for match in re.finditer(r"<script\b([^>]*)>", html):
            attrs = match.group(1)
            assert 'type="application/ld+json"' in attrs or "src=" in attrs, (path, attrs)
        assert "<style" not in html, path
        assert not re.search(r"\sstyle=", html), path
        assert not re.search(r"\son[a-z]+=", html), path


def test_tenant_row_is_what_the_walk_uses(demo, ctx):
    """Guard the sample arguments: they must exist in the demo bundle."""
    zak = db.session.scalars(db.select(Tenant).filter_by(slug="zak-clinic")).one()
    assert zak.primary_host == TENANT_HOST
