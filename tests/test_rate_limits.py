"""Failed sign-in and reset attempts are limited per account and per client address."""

from __future__ import annotations

import time

import pytest

from meridian.extensions import limiter

from .factories import PASSWORD, csrf_token


@pytest.fixture
def limited(app, monkeypatch):
    """Limits on, a fresh counter store, and a clock the test can move forward."""
    monkeypatch.setitem(app.config, "RATE_LIMITS_ENABLED", True)
    limiter.reset()
    offset = [0.0]
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + offset[0])
    yield offset
    limiter.reset()


def attempt(client, email, password, address="198.51.100.7"):
    page = client.get("/studio/sign-in")
    data = {"csrf_token": csrf_token(page.text), "email": email, "password": password}
    return client.post("/studio/sign-in", data=data, environ_base={"REMOTE_ADDR": address})


def test_fifty_wrong_passwords_are_stopped_and_the_right_one_works_after_the_window(
    limited, client_for, make_tenant, make_member
):
    clinic = make_tenant("clinic-a", name="Alpha Clinic")
    make_member(clinic, "owner", email="ann@example.com")
    client = client_for(clinic)
    codes = [
        attempt(client, "ann@example.com", f"guess number {i:03}").status_code for i in range(50)
    ]
    assert codes[:10] == [200] * 10  # "does not match", next to the form
    assert set(codes[10:]) == {429}
    stopped = attempt(client, "ann@example.com", PASSWORD)
    assert stopped.status_code == 429  # even the right password waits for the window
    assert "Too many attempts" in stopped.text and "try again in 15 minutes" in stopped.text
    assert "Alpha Clinic" in stopped.text
    assert 0 < int(stopped.headers["Retry-After"]) <= 15 * 60
    # Another address does not unlock the account.
    assert attempt(client, "ann@example.com", PASSWORD, "203.0.113.9").status_code == 429
    limited[0] += 15 * 60 + 1
    assert attempt(client, "ann@example.com", PASSWORD).headers["Location"] == "/studio/"


def test_one_address_trying_many_accounts_is_stopped(limited, client_for, make_tenant):
    client = client_for(make_tenant("clinic-a"))
    codes = [
        attempt(client, f"user{i}@example.com", "wrong password!").status_code for i in range(51)
    ]
    assert codes[:50] == [200] * 50 and codes[50] == 429
    other_address = attempt(client, "user0@example.com", "wrong password!", "203.0.113.9")
    assert other_address.status_code == 200


def test_successful_sign_ins_do_not_count(limited, client_for, make_tenant, make_member):
    clinic = make_tenant("clinic-a")
    make_member(clinic, "owner", email="ann@example.com")
    for _ in range(12):
        client = client_for(clinic)
        assert attempt(client, "ann@example.com", PASSWORD).status_code == 302


def test_reset_requests_are_limited_per_account(limited, client_for, make_tenant):
    client = client_for(make_tenant("clinic-a"))
    codes = []
    for _ in range(6):
        page = client.get("/studio/reset")
        data = {"csrf_token": csrf_token(page.text), "email": "ann@example.com"}
        codes.append(client.post("/studio/reset", data=data).status_code)
    assert codes == [302] * 5 + [429]
