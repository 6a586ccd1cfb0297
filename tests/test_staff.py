"""Owners manage their staff: invitations by e-mail, roles, removal, the last owner."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from meridian.extensions import db
from meridian.models import AuditEvent, Invitation, Membership, OutboxMessage, User, utcnow

from .factories import PASSWORD, csrf_token

LINK = re.compile(r"(https?://[^\s/]+)(/studio/invitation/\S+)")
NEW_PASSWORD = "copper kettle morning tide"


@pytest.fixture
def clinic(make_tenant):
    return make_tenant("clinic-a", name="Alpha Clinic", aliases=("www.clinic-a.test",))


@pytest.fixture
def owner(signed_in_client, clinic):
    return signed_in_client(clinic, "owner")


def invite(owner, email="new@example.com", role="editor"):
    return owner.post(
        "/studio/staff/invite", data={"csrf_token": owner.csrf, "email": email, "role": role}
    )


def sent_link(app, to="new@example.com"):
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == to)
        ).one()
        assert message.kind == "invitation"
        return LINK.search(message.body_text).groups()


def accept_new(client, path, name="Nia New", password=NEW_PASSWORD, confirm=None):
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.post(
        path,
        data={
            "csrf_token": csrf_token(page.text),
            "display_name": name,
            "new_password": password,
            "confirm": confirm or password,
        },
    )


def members(app, clinic):
    with app.app_context():
        rows = db.session.execute(
            select(User.email, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.tenant_id == clinic.id)
        )
        return dict(rows.all())


def test_invitation_is_mailed_on_the_primary_domain_and_works_once(app, owner, client_for, clinic):
    assert invite(owner).headers["Location"] == "/studio/staff?done=invited"
    origin, path = sent_link(app)
    assert origin == "http://clinic-a.test"
    staff = owner.get("/studio/staff").text
    assert "new@example.com (Editor)" in staff
    newcomer = client_for(clinic)
    response = accept_new(newcomer, path)
    assert response.headers["Location"] == "/studio/"
    assert "Nia New" in newcomer.get("/studio/").text
    assert members(app, clinic)["new@example.com"] == "editor"
    again = client_for(clinic).get(path)
    assert again.status_code == 400 and "already been used" in again.text
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"invitation.sent", "invitation.accepted"} <= actions


def test_a_weak_password_is_refused_next_to_the_field_and_nothing_is_created(
    app, owner, client_for, clinic
):
    invite(owner)
    _, path = sent_link(app)
    response = accept_new(client_for(clinic), path, name="Nia New", password="password1234")
    assert response.status_code == 422
    assert "too common" in response.text and 'value="Nia New"' in response.text
    assert "password1234" not in response.text
    assert "new@example.com" not in members(app, clinic)


@pytest.mark.parametrize("how", ["tampered", "expired", "withdrawn", "other clinic"])
def test_bad_invitation_links_are_refused(app, owner, client_for, clinic, make_tenant, how):
    invite(owner)
    _, path = sent_link(app)
    host = clinic
    if how == "tampered":
        path = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    elif how == "expired":
        with app.app_context():
            db.session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(1)))
            db.session.commit()
    elif how == "withdrawn":
        with app.app_context():
            invitation_id = db.session.scalars(select(Invitation.id)).one()
        owner.post(
            f"/studio/staff/invitations/{invitation_id}/revoke", data={"csrf_token": owner.csrf}
        )
    else:
        host = make_tenant("clinic-b")
    response = client_for(host).get(path)
    assert response.status_code == 400
    assert "This link does not work" in response.text
    assert "new@example.com" not in members(app, clinic)


def test_someone_with_an_account_elsewhere_confirms_with_their_password(
    app, owner, client_for, clinic, make_tenant, make_member
):
    other = make_tenant("clinic-b")
    make_member(other, "owner", email="pat@example.com")
    invite(owner, "pat@example.com", "front_desk")
    _, path = sent_link(app, "pat@example.com")
    client = client_for(clinic)
    page = client.get(path)
    assert "You already have a Meridian account" in page.text
    wrong = client.post(
        path, data={"csrf_token": csrf_token(page.text), "password": "not mine at all"}
    )
    assert wrong.status_code == 422 and "That is not the password" in wrong.text
    assert "pat@example.com" not in members(app, clinic)
    right = client.post(path, data={"csrf_token": csrf_token(page.text), "password": PASSWORD})
    assert right.headers["Location"] == "/studio/"
    assert members(app, clinic)["pat@example.com"] == "front_desk"


def test_inviting_a_member_or_a_bad_address_is_explained(owner, make_member, clinic):
    make_member(clinic, "editor", email="ed@example.com")
    taken = invite(owner, "ED@example.com")
    assert taken.status_code == 422 and "already on the staff" in taken.text
    bad = invite(owner, "not an address")
    assert bad.status_code == 422 and 'value="not an address"' in bad.text


def test_owner_changes_a_role_and_removes_someone_whose_session_then_ends(
    app, owner, signed_in_client, clinic
):
    editor = signed_in_client(clinic, "editor")
    with app.app_context():
        member_id = db.session.scalars(
            select(Membership.id).where(Membership.user_id == editor.user.id)
        ).one()
    response = owner.post(
        f"/studio/staff/{member_id}/role", data={"csrf_token": owner.csrf, "role": "front_desk"}
    )
    assert response.headers["Location"] == "/studio/staff?done=role"
    assert members(app, clinic)[editor.user.email] == "front_desk"
    assert editor.get("/studio/").status_code == 200
    owner.post(f"/studio/staff/{member_id}/remove", data={"csrf_token": owner.csrf})
    assert editor.user.email not in members(app, clinic)
    assert editor.get("/studio/").status_code == 302


@pytest.mark.parametrize("action", ["role", "remove"])
def test_the_last_owner_stays(app, owner, clinic, action):
    with app.app_context():
        member_id = db.session.scalars(select(Membership.id)).one()
    data = {"csrf_token": owner.csrf, "role": "editor"}
    response = owner.post(f"/studio/staff/{member_id}/{action}", data=data)
    assert response.status_code == 409
    assert "last owner" in response.text
    assert members(app, clinic)[owner.user.email] == "owner"


def test_with_a_second_owner_one_may_step_down(app, owner, make_member, clinic):
    make_member(clinic, "owner", email="second@example.com")
    with app.app_context():
        member_id = db.session.scalars(
            select(Membership.id).where(Membership.user_id == owner.user.id)
        ).one()
    data = {"csrf_token": owner.csrf, "role": "editor"}
    assert owner.post(f"/studio/staff/{member_id}/role", data=data).status_code == 302
    assert members(app, clinic)[owner.user.email] == "editor"
    assert owner.get("/studio/staff").status_code == 403  # no longer an owner


def test_another_clinics_member_ids_are_404(app, owner, make_tenant, make_member):
    other = make_tenant("clinic-b")
    make_member(other, "editor", email="b-ed@example.com")
    with app.app_context():
        theirs = db.session.scalars(
            select(Membership.id).where(Membership.tenant_id == other.id)
        ).one()
    for action in ("role", "remove"):
        data = {"csrf_token": owner.csrf, "role": "owner"}
        assert owner.post(f"/studio/staff/{theirs}/{action}", data=data).status_code == 404
    with app.app_context():
        assert db.session.get(Membership, theirs).role == "editor"
