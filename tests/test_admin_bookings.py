"""A platform admin sees a clinic's bookings only by giving a reason, every time, and
the clinic's owner sees each look in their audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from meridian.extensions import db
from meridian.models import AuditEvent

from .factories import row_counts


@pytest.fixture
def booked(make_tenant, make_service, next_free, book_via_http):
    clinic = make_tenant("clinic-a", name="Alpha Clinic")
    service = make_service(clinic)
    response = book_via_http(clinic, service, next_free(clinic, service), reason="Knee pain")
    assert response.status_code == 303, response.text
    return clinic


def test_the_list_needs_a_reason_each_time_and_each_look_is_audited(
    app, admin_client, booked, signed_in_client
):
    admin = admin_client()
    ask = admin.get(f"/admin/clinics/{booked.id}/bookings")
    assert ask.status_code == 200 and "Ada Lovelace" not in ask.text
    before = row_counts(app)
    refused = admin.post(
        f"/admin/clinics/{booked.id}/bookings", data={"csrf_token": admin.csrf, "reason": ""}
    )
    assert refused.status_code == 422 and "Ada Lovelace" not in refused.text
    assert 'id="reason-error"' in refused.text
    assert row_counts(app) == before  # not even an audit event
    reason = "Owner asked why a client got no confirmation (ticket 4211)"
    shown = admin.post(
        f"/admin/clinics/{booked.id}/bookings", data={"csrf_token": admin.csrf, "reason": reason}
    )
    assert shown.status_code == 200 and "Ada Lovelace" in shown.text
    assert "Knee pain" not in shown.text  # the reason for the visit is health data
    assert "no-store" in shown.headers["Cache-Control"]
    assert "Ada Lovelace" not in admin.get(f"/admin/clinics/{booked.id}/bookings").text
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "admin.bookings_viewed")
        ).one()
        assert event.tenant_id == booked.id and event.actor_email == admin.user.email
        assert event.details["reason"] == reason and event.details["shown"] == 1
        assert event.client_address
    owner_log = signed_in_client(booked, "owner").get("/studio/audit").text
    assert "admin.bookings_viewed" in owner_log and "ticket 4211" in owner_log


def test_a_short_reason_is_refused_and_kept(admin_client, booked):
    admin = admin_client()
    response = admin.post(
        f"/admin/clinics/{booked.id}/bookings", data={"csrf_token": admin.csrf, "reason": "look"}
    )
    assert response.status_code == 422 and "Between 10 and 500" in response.text
    assert "look</textarea>" in response.text
