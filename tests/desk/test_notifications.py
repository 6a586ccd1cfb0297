"""The owner chooses who hears of bookings at a location: its own address (the default),
staff members who use the desk (owners, front desk) and other addresses. The chosen
get the new-booking, moved and cancelled notices through the outbox; nobody else does;
editors and departed members cannot be chosen; the reason for visit is in none of it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, select

from meridian.booking.tokens import make_token
from meridian.extensions import db
from meridian.models import (
    AuditEvent,
    Booking,
    Location,
    LocationNotifyMember,
    Membership,
    OutboxMessage,
    User,
)

from ..factories import csrf_token, row_counts
from .conftest import REASON

CLINIC_KINDS = ("clinic-new", "clinic-moved", "clinic-cancelled")


def _clinic_mail(app) -> dict[str, set[str]]:
    """{kind: recipients} of the clinic's notices in the outbox."""
    found: dict[str, set[str]] = {kind: set() for kind in CLINIC_KINDS}
    with app.app_context():
        for kind, to, body, html in db.session.execute(
            select(
                OutboxMessage.kind,
                OutboxMessage.recipient,
                OutboxMessage.body_text,
                OutboxMessage.body_html,
            )
        ):
            assert REASON not in body and REASON not in (html or "")
            if kind in found:
                found[kind].add(to)
    return found


def _clear_outbox(app) -> None:
    with app.app_context():
        db.session.execute(delete(OutboxMessage))
        db.session.commit()


def _save(owner, location_id: int, **data):
    page = owner.get(f"/studio/locations/{location_id}")
    assert page.status_code == 200
    values = {"csrf_token": csrf_token(page.text)} | data
    return owner.post(f"/studio/locations/{location_id}/notifications", data=values)


@pytest.fixture
def clinic(make_tenant, make_service, make_member, signed_in_client):
    tenant = make_tenant("clinic-a", change_cutoff_hours=0)
    service = make_service(tenant)
    owner = signed_in_client(tenant, "owner")
    desk = make_member(tenant, "front_desk")
    editor = make_member(tenant, "editor")
    other_owner = make_member(tenant, "owner", email="second-owner@clinic-a.test")
    people = {"owner": owner.user, "desk": desk, "editor": editor, "other_owner": other_owner}
    return tenant, service, owner, people


def test_by_default_the_locations_address_hears_of_bookings(app, clinic, booked):
    tenant, service, owner, people = clinic
    booked(tenant, service=service)
    sent = _clinic_mail(app)
    assert sent["clinic-new"] == {"hello@clinic-a.test"}
    page = owner.get(f"/studio/locations/{tenant.locations[0].id}")
    assert "Booking notifications" in page.text
    assert "Now: hello@clinic-a.test." in page.text


def test_the_chosen_get_new_moved_and_cancelled_notices_and_nobody_else(
    app, clinic, booked, client_for, next_free
):
    tenant, service, owner, people = clinic
    location_id = tenant.locations[0].id
    response = _save(
        owner,
        location_id,
        members=[str(people["desk"].id)],
        addresses="Manager@Elsewhere.test\nmanager@elsewhere.test, books@elsewhere.test",
    )  # location address unticked: off
    assert response.status_code == 303, response.text
    page = owner.get(response.headers["Location"])
    assert "Booking notifications for Main clinic saved." in page.text
    # Each address once (compared without case), as first typed (domain lower-cased).
    chosen = {people["desk"].email, "Manager@elsewhere.test", "books@elsewhere.test"}

    booking_id, _ = booked(tenant, service=service)
    assert _clinic_mail(app)["clinic-new"] == chosen

    # The client moves it with the e-mail's link, then cancels the new one.
    client = client_for(tenant)
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        move_url = f"/book/reschedule/{make_token(booking, 'reschedule')}"
    page = client.get(move_url)
    later = next_free(tenant, service, 8).isoformat()
    moved = client.post(move_url, data={"csrf_token": csrf_token(page.text), "start": later})
    assert moved.status_code == 200 and "moved" in moved.text.lower(), moved.text
    with app.app_context():
        new = db.session.scalars(select(Booking).where(Booking.status == "confirmed")).one()
        cancel_url = f"/book/cancel/{make_token(new, 'cancel')}"
    page = client.get(cancel_url)
    done = client.post(cancel_url, data={"csrf_token": csrf_token(page.text)})
    assert done.status_code == 200 and "is cancelled" in done.text

    sent = _clinic_mail(app)
    assert sent == {"clinic-new": chosen, "clinic-moved": chosen, "clinic-cancelled": chosen}
    everyone = set().union(*sent.values())
    for unchosen in ("hello@clinic-a.test", people["owner"].email, people["other_owner"].email):
        assert unchosen not in everyone
    assert people["editor"].email not in everyone

    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "location.notifications")
        ).one()
        assert event.actor_id == people["owner"].id
        assert event.target == f"location:{location_id}"
        assert event.details == {
            "location_address": False,
            "members": [people["desk"].id],
            "addresses": ["Manager@elsewhere.test", "books@elsewhere.test"],
        }


def test_an_editor_another_clinics_member_or_a_departed_one_cannot_be_chosen(
    app, clinic, make_tenant, make_member
):
    tenant, _, owner, people = clinic
    location_id = tenant.locations[0].id
    outsider = make_member(make_tenant("clinic-b"), "owner")
    for user in (people["editor"], outsider):
        before = row_counts(app)
        response = _save(owner, location_id, location_address="y", members=[str(user.id)])
        assert response.status_code == 400
        assert "Only this clinic’s owners and front desk can receive" in response.text
        assert user.email not in response.text  # not offered
        assert row_counts(app) == before

    # Chosen while at the clinic, then they leave: the choice goes with the membership.
    assert _save(owner, location_id, members=[str(people["desk"].id)]).status_code == 303
    with app.app_context():
        db.session.execute(
            delete(Membership).where(
                Membership.tenant_id == tenant.id, Membership.user_id == people["desk"].id
            )
        )
        db.session.commit()
        assert db.session.scalars(select(LocationNotifyMember)).all() == []
    before = row_counts(app)
    response = _save(owner, location_id, members=[str(people["desk"].id)])
    assert response.status_code == 400
    assert row_counts(app) == before

    response = _save(owner, location_id, members=["not-a-number"])
    assert response.status_code == 400


def test_a_member_moved_to_editor_or_suspended_hears_no_more(app, clinic, booked):
    tenant, service, owner, people = clinic
    response = _save(
        owner,
        tenant.locations[0].id,
        members=[str(people["desk"].id), str(people["other_owner"].id)],
    )
    assert response.status_code == 303
    with app.app_context():
        membership = db.session.scalars(
            select(Membership).where(Membership.user_id == people["desk"].id)
        ).one()
        membership.role = "editor"
        db.session.get(User, people["other_owner"].id).is_active = False
        db.session.commit()
    booked(tenant, service=service)
    # Nobody left: the location's address was switched off, the two may not receive.
    assert _clinic_mail(app)["clinic-new"] == set()


def test_bad_addresses_are_refused_next_to_the_field_with_the_input_kept(app, clinic):
    tenant, _, owner, _ = clinic
    location_id = tenant.locations[0].id
    before = row_counts(app)
    typed = "fine@elsewhere.test\nnot an address@\njosé@elsewhere.test"
    response = _save(owner, location_id, location_address="y", addresses=typed)
    assert response.status_code == 400
    assert re.search(r'<p class="error" id="addresses-error">[^<]*not an e-mail', response.text)
    assert "fine@elsewhere.test" in response.text  # what was typed is still there
    assert row_counts(app) == before
    with app.app_context():
        location = db.session.get(Location, location_id)
        assert location.notify_addresses == [] and location.notify_location_email is True

    many = "\n".join(f"inbox{n}@elsewhere.test" for n in range(11))
    assert _save(owner, location_id, addresses=many).status_code == 400


def test_turning_everyone_off_is_allowed_and_said(app, clinic, booked):
    tenant, service, owner, _ = clinic
    response = _save(owner, tenant.locations[0].id)
    assert response.status_code == 303
    assert "nobody is e-mailed about bookings" in owner.get(response.headers["Location"]).text
    booked(tenant, service=service)
    assert _clinic_mail(app)["clinic-new"] == set()
    with app.app_context():
        assert db.session.scalars(select(Booking)).one().reason == REASON
