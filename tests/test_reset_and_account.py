"""Password reset links, password change, sign out everywhere, suspension, CSRF pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from meridian.auth.passwords import verify_password
from meridian.extensions import db
from meridian.models import OutboxMessage, User

from .factories import PASSWORD, PLATFORM_HOST, csrf_token

LINK = re.compile(r"(https?://[^\s/]+)(/(?:studio|admin)/reset/\S+)")
NEW = "copper kettle morning tide"


@pytest.fixture
def clinic(make_tenant):
    return make_tenant("clinic-a", name="Alpha Clinic")


def ask_reset(client, email, area="studio"):
    page = client.get(f"/{area}/reset")
    return client.post(f"/{area}/reset", data={"csrf_token": csrf_token(page.text), "email": email})


def outbox(app):
    with app.app_context():
        return [
            (m.recipient, m.tenant_id, m.body_text)
            for m in db.session.scalars(select(OutboxMessage))
        ]


def set_password(client, path, password=NEW, confirm=None):
    page = client.get(path)
    assert page.status_code == 200, page.text
    data = {"csrf_token": csrf_token(page.text), "new_password": password}
    return client.post(path, data=data | {"confirm": confirm or password})


def test_reset_link_on_the_primary_domain_ends_old_sessions_and_works_once(
    app, client_for, signed_in_client, clinic, make_member
):
    ann = make_member(clinic, "owner", email="ann@example.com")
    before = signed_in_client(clinic, user=ann)  # a session from before the reset
    client = client_for(clinic)
    response = ask_reset(client, "ANN@example.com")
    assert response.headers["Location"] == "/studio/reset?sent=1"
    [(to, tenant_id, body)] = outbox(app)
    assert (to, tenant_id) == ("ann@example.com", clinic.id)
    origin, path = LINK.search(body).groups()
    assert origin == "http://clinic-a.test"
    assert set_password(client, path).headers["Location"] == "/studio/sign-in?reset=1"
    with app.app_context():
        assert verify_password(db.session.get(User, ann.id), NEW)
    assert before.get("/studio/").status_code == 302
    used = client_for(clinic).get(path)
    assert used.status_code == 400 and "already been used" in used.text


@pytest.mark.parametrize("email", ["nobody@example.com", "bob@example.com", "off@example.com"])
def test_no_mail_and_the_same_answer_for_others(
    app, client_for, clinic, make_tenant, make_member, email
):
    make_member(make_tenant("clinic-b"), "owner", email="bob@example.com")  # another clinic's
    make_member(clinic, "editor", email="off@example.com", active=False)
    response = ask_reset(client_for(clinic), email)
    assert response.headers["Location"] == "/studio/reset?sent=1"
    assert outbox(app) == []
    page = client_for(clinic).get("/studio/reset?sent=1")
    assert "If that address has an account here" in page.text


def test_weak_new_password_is_refused_next_to_the_field(app, client_for, clinic, make_member):
    make_member(clinic, "owner", email="ann@example.com")
    client = client_for(clinic)
    ask_reset(client, "ann@example.com")
    _, path = LINK.search(outbox(app)[0][2]).groups()
    short = set_password(client, path, "short")
    assert short.status_code == 200 and "at least 12" in short.text
    mismatch = set_password(client, path, NEW, NEW + "x")
    assert "not the same" in mismatch.text
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        assert verify_password(user, PASSWORD)


@pytest.mark.parametrize("how", ["tampered", "expired", "other clinic"])
def test_bad_reset_links_change_nothing(app, client_for, clinic, make_tenant, make_member, how):
    make_member(clinic, "owner", email="ann@example.com")
    ask_reset(client_for(clinic), "ann@example.com")
    _, path = LINK.search(outbox(app)[0][2]).groups()
    host = clinic
    if how == "tampered":
        path = path[:-2] + ("xx" if not path.endswith("xx") else "yy")
    elif how == "expired":
        app.config["PASSWORD_RESET_MAX_AGE"] = -1
    else:
        host = make_tenant("clinic-b")
    try:
        response = client_for(host).get(path)
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = 3600
    assert response.status_code == 400
    assert ("has expired" if how == "expired" else "not valid here") in response.text


def test_admin_reset_link_is_on_the_platform_host_whatever_host_was_used(
    app, client_for, make_user
):
    make_user("root@meridian.test", platform_admin=True)
    ask_reset(client_for("127.0.0.1"), "root@meridian.test", area="admin")
    [(to, tenant_id, body)] = outbox(app)
    assert tenant_id is None  # mail from the platform itself
    origin, path = LINK.search(body).groups()
    assert origin == f"http://{PLATFORM_HOST}"
    assert path.startswith("/admin/reset/")
    with app.app_context():
        from meridian.outbox import send_due

        folder = Path(app.instance_path) / "mail"
        before = set(folder.glob("*.eml"))
        assert send_due()["sent"] == 1  # platform mail is delivered, from "Meridian"
        (eml,) = set(folder.glob("*.eml")) - before
        assert "From: Meridian <" in eml.read_text()


def change(client, current, new=NEW, confirm=None):
    page = client.get("/studio/account")
    assert page.status_code == 200
    data = {"csrf_token": csrf_token(page.text), "current_password": current, "new_password": new}
    return client.post("/studio/account/password", data=data | {"confirm": confirm or new})


def test_password_change_keeps_this_session_and_ends_the_others(
    app, signed_in_client, clinic, make_member
):
    ann = make_member(clinic, "owner", email="ann@example.com")
    here, elsewhere = signed_in_client(clinic, user=ann), signed_in_client(clinic, user=ann)
    wrong = change(here, "not my password")
    assert wrong.status_code == 422 and "not your current password" in wrong.text
    weak = change(here, PASSWORD, "qwerty123456")
    assert weak.status_code == 422 and "too common" in weak.text
    assert elsewhere.get("/studio/").status_code == 200  # nothing changed yet
    assert change(here, PASSWORD).headers["Location"] == "/studio/account?changed=1"
    assert here.get("/studio/").status_code == 200
    assert elsewhere.get("/studio/").status_code == 302
    with app.app_context():
        assert verify_password(db.session.get(User, ann.id), NEW)


def test_sign_out_everywhere(signed_in_client, clinic, make_member):
    ann = make_member(clinic, "owner", email="ann@example.com")
    here, elsewhere = signed_in_client(clinic, user=ann), signed_in_client(clinic, user=ann)
    page = here.get("/studio/account")
    response = here.post(
        "/studio/account/sign-out-everywhere", data={"csrf_token": csrf_token(page.text)}
    )
    assert response.headers["Location"] == "/studio/sign-in?signed_out=1"
    assert here.get("/studio/").status_code == 302
    assert elsewhere.get("/studio/").status_code == 302


def test_admins_have_an_account_page_too(admin_client):
    page = admin_client().get("/admin/account")
    assert page.status_code == 200 and "Change your password" in page.text


def test_suspension_ends_the_clinics_sessions(app, signed_in_client, clinic):
    client = signed_in_client(clinic, "owner")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["tenants", "suspend", "clinic-a"]).exit_code == 0
    assert client.get("/studio/").status_code == 503
    assert runner.invoke(args=["tenants", "activate", "clinic-a"]).exit_code == 0
    assert client.get("/studio/").status_code == 302


def test_a_post_without_its_csrf_token_gets_a_branded_page(signed_in_client, clinic):
    client = signed_in_client(clinic, "owner")
    response = client.post("/studio/staff/invite", data={"email": "x@example.com", "role": "owner"})
    assert response.status_code == 400
    assert "Please try again" in response.text and "Alpha Clinic" in response.text
    assert client.get("/studio/staff").status_code == 200
    assert "x@example.com" not in client.get("/studio/staff").text


def test_owners_see_their_clinics_audit_log_and_admins_see_all(
    client_for, signed_in_client, admin_client, clinic, make_tenant, make_member
):
    other = make_tenant("clinic-b", name="Beta Clinic")
    make_member(other, "owner", email="bob@example.com")
    ask_reset(client_for(other), "bob@example.com")
    owner = signed_in_client(clinic, "owner")
    owner.post("/studio/sign-out", data={"csrf_token": owner.csrf})
    page = signed_in_client(clinic, "owner", email="ann2@example.com").get("/studio/audit").text
    assert "sign_out" in page and "bob@example.com" not in page
    everything = admin_client().get("/admin/audit").text
    assert "bob@example.com" in everything and "Beta Clinic" in everything
    assert "sign_out" in everything
