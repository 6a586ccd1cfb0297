"""A copied session cookie is worth nothing once the session is over, or on another host."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import delete

from meridian.extensions import db
from meridian.models import Membership, User

from .factories import PLATFORM_HOST


def cookie_of(client, host):
    cookie = client.get_cookie("session", domain=host)
    assert cookie is not None
    return cookie.value


def replay(client_for, value, host):
    thief = client_for(host)
    thief.set_cookie("session", value, domain=host)
    return thief


@pytest.fixture
def two(make_tenant):
    return make_tenant("clinic-a"), make_tenant("clinic-b")


def test_sign_out_ends_every_copy_of_the_cookie(client_for, signed_in_client, two):
    a, _ = two
    client = signed_in_client(a, "owner")
    assert client.get("/studio/").status_code == 200
    copied = cookie_of(client, a.primary_host)
    response = client.post("/studio/sign-out", data={"csrf_token": client.csrf})
    assert response.headers["Location"] == "/studio/sign-in?signed_out=1"
    assert client.get("/studio/").status_code == 302
    thief = replay(client_for, copied, a.primary_host)
    assert thief.get("/studio/").status_code == 302


def test_a_session_from_one_clinic_is_useless_on_another(
    client_for, signed_in_client, make_member, two
):
    """Even for someone who works at both clinics: sign in again on each host."""
    a, b = two
    both = make_member(b, "owner")
    make_member(a, "owner", user=both)
    on_b = signed_in_client(b, user=both)
    assert on_b.get("/studio/").status_code == 200
    thief = replay(client_for, cookie_of(on_b, b.primary_host), a.primary_host)
    response = thief.get("/studio/")
    assert response.status_code == 302 and "/studio/sign-in" in response.headers["Location"]
    assert signed_in_client(a, user=both).get("/studio/").status_code == 200


def test_a_clinic_session_is_useless_on_the_platform_host(client_for, signed_in_client, two):
    a, _ = two
    client = signed_in_client(a, "owner")
    thief = replay(client_for, cookie_of(client, a.primary_host), PLATFORM_HOST)
    assert thief.get("/admin/").status_code == 302


def test_an_admin_session_is_useless_on_a_clinic_host(client_for, admin_client, two):
    a, _ = two
    admin = admin_client()
    assert admin.get("/admin/").status_code == 200
    thief = replay(client_for, cookie_of(admin, PLATFORM_HOST), a.primary_host)
    assert thief.get("/studio/").status_code == 302


def test_removal_from_the_clinic_ends_the_session(app, signed_in_client, two):
    a, _ = two
    client = signed_in_client(a, "editor")
    assert client.get("/studio/").status_code == 200
    with app.app_context():
        db.session.execute(delete(Membership).where(Membership.user_id == client.user.id))
        db.session.commit()
    assert client.get("/studio/").status_code == 302


def test_a_bumped_session_version_or_a_deactivated_user_ends_the_session(
    app, signed_in_client, two
):
    a, _ = two
    bumped, deactivated = signed_in_client(a, "owner"), signed_in_client(a, "editor")
    with app.app_context():
        db.session.get(User, bumped.user.id).session_version += 1
        db.session.get(User, deactivated.user.id).is_active = False
        db.session.commit()
    assert bumped.get("/studio/").status_code == 302
    assert deactivated.get("/studio/").status_code == 302


@pytest.mark.parametrize(
    ("field", "age", "reason"),
    [("auth_seen", 31 * 60, "idle"), ("auth_at", 13 * 3600, "expired")],
)
def test_idle_and_absolute_timeouts(client_for, signed_in_client, two, field, age, reason):
    a, _ = two
    client = signed_in_client(a, "owner")
    with client.session_transaction() as sess:
        sess[field] = int(time.time()) - age
    response = client.get("/studio/staff")
    assert response.status_code == 302
    assert f"ended={reason}" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    assert "Please sign in again." in page.text


def test_activity_keeps_the_session_alive(signed_in_client, two):
    a, _ = two
    client = signed_in_client(a, "owner")
    with client.session_transaction() as sess:
        sess["auth_seen"] = int(time.time()) - 29 * 60
    assert client.get("/studio/").status_code == 200
    with client.session_transaction() as sess:
        assert time.time() - sess["auth_seen"] < 5


def test_public_pages_set_no_cookie_for_signed_in_staff(signed_in_client, make_post, two):
    a, _ = two
    make_post(a, "hello")
    client = signed_in_client(a, "owner")
    with client.session_transaction() as sess:
        sess["auth_seen"] = int(time.time()) - 10 * 60  # a refresh would be due on the studio
    for url in ("/", "/blog", "/blog/hello", "/faq", "/contact"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url
        assert "Cookie" not in response.headers.get("Vary", ""), url
