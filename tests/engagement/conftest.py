"""Fixtures for the readers' forms: a clinic with a post, stamps, and clean rate limits."""

from __future__ import annotations

import time
from typing import Any

import pytest
from itsdangerous import TimestampSigner

from meridian.engagement.guard import STAMP_SALT
from meridian.extensions import limiter


class _PastSigner(TimestampSigner):
    ago = 60

    def get_timestamp(self) -> int:
        return int(time.time()) - self.ago


@pytest.fixture(autouse=True)
def _fresh_limits():
    """The limiter's memory storage is one per process: start every test at zero."""
    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture
def limits_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMITS_ENABLED", True)


@pytest.fixture
def stamp(app):
    """`stamp(tenant, "comment")`: a valid stamp made `ago` seconds ago (default 60)."""

    def make(tenant, form: str, ago: int = 60) -> str:
        signer = _PastSigner(app.secret_key, salt=STAMP_SALT)
        signer.ago = ago
        return signer.sign(f"{tenant.id}.{form}").decode()

    return make


@pytest.fixture
def clinic(make_tenant, make_post):
    tenant = make_tenant("clinic-a", name="Alpha Clinic")
    make_post(tenant, "hello", title="Hello readers")
    return tenant


@pytest.fixture
def comment_data(stamp):
    def data(tenant, **overrides: Any) -> dict[str, str]:
        return {
            "name": "Ada Reader",
            "email": "ada@example.com",
            "body": "Does acupuncture help with sleep?",
            "homepage": "",
            "stamp": stamp(tenant, "comment"),
        } | overrides

    return data
