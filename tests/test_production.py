"""Production refuses to start unsafely (one line per refusal); health endpoints."""

from __future__ import annotations

import pytest

from meridian import create_app
from meridian.safety import UnsafeConfiguration

SAFE = {
    "MERIDIAN_ENV": "production",
    "TESTING": False,
    "SECRET_KEY": "9f2c4e1a7b3d5f608e1c2a4b6d8f0e1c3a5b7d9f1e2c4a6b8d0f2e4c6a8b0d2f",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "PROXY_COUNT": 1,
    "PUBLIC_SCHEME": "https",
    "PLATFORM_HOSTS": ["meridian.example"],
    "DEBUG": False,
}


def build(app, **changes):
    return create_app(dict(app.config) | SAFE | changes)


def test_a_safe_production_configuration_starts(app):
    assert build(app).config["MERIDIAN_ENV"] == "production"


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "change-me"}, "SECRET_KEY"),
        ({"SECRET_KEY": "a" * 64}, "SECRET_KEY"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "REDIS_URL"),
        ({"PROXY_COUNT": None}, "PROXY_COUNT"),
        ({"PROXY_COUNT": 9}, "PROXY_COUNT"),
        ({"PUBLIC_SCHEME": "http"}, "PUBLIC_SCHEME"),
        ({"PLATFORM_HOSTS": ["*"]}, "PLATFORM_HOSTS"),
        ({"PLATFORM_HOSTS": [".example.com"]}, "PLATFORM_HOSTS"),
        ({"PLATFORM_HOSTS": []}, "PLATFORM_HOSTS"),
        ({"DEBUG": True}, "FLASK_DEBUG"),
    ],
)
def test_each_unsafe_setting_is_refused_in_one_line(app, changes, named):
    with pytest.raises(UnsafeConfiguration) as refused:
        build(app, **changes)
    lines = str(refused.value).splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("meridian: refusing to start: ") and named in lines[0]


def test_every_problem_is_named_at_once(app):
    with pytest.raises(UnsafeConfiguration) as refused:
        build(app, SECRET_KEY="", PROXY_COUNT=None, PUBLIC_SCHEME="http")
    assert len(str(refused.value).splitlines()) == 3


def test_development_and_tests_are_not_refused(app):
    assert create_app(dict(app.config) | {"SECRET_KEY": "", "PROXY_COUNT": None})


def test_healthz_answers_on_any_host_without_a_cookie(demo, client_for):
    for host in ("zak-clinic.localhost", "localhost", "unknown.example"):
        response = client_for(host).get("/healthz")
        assert response.status_code == 200 and response.text == "ok\n", host
        assert response.headers["Cache-Control"] == "no-store"
        assert "Set-Cookie" not in response.headers


def test_readyz_checks_the_database(client_for):
    response = client_for("unknown.example").get("/readyz")
    assert response.status_code == 200 and "database: ok" in response.text


def test_readyz_names_a_redis_that_is_down(make_app, client_for, unused_port):
    down = make_app(REDIS_URL=f"redis://127.0.0.1:{unused_port}/0", CACHE_TYPE="SimpleCache")
    response = client_for("localhost", down).get("/readyz")
    assert response.status_code == 503
    assert "database: ok" in response.text and "redis: FAILING" in response.text


def test_check_config_passes_a_safe_configuration_and_names_problems(app):
    safe = build(app)
    result = safe.test_cli_runner().invoke(args=["check-config"])
    assert result.exit_code == 0 and "safe for production" in result.output
    development = app.test_cli_runner().invoke(args=["check-config"])
    assert development.exit_code == 1
    assert "MERIDIAN_ENV is not 'production'" in development.output
