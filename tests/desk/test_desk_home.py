"""The desk's home (the day sheet) shows failed e-mails to phone about; the clinic's
notices link to the booking's page; owners export a date range as CSV (no reasons)."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from meridian.extensions import db
from meridian.models import AuditEvent, OutboxMessage

from ..factories import csrf_token, row_counts
from .conftest import REASON


def test_a_failed_confirmation_is_on_the_desks_home(app, make_tenant, booked, signed_in_client):
    tenant = make_tenant("clinic-a")
    booking_id, _ = booked(tenant)
    desk = signed_in_client(tenant, "front_desk")
    assert "could not be delivered" not in desk.get("/studio/bookings").text
    with app.app_context():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.kind == "confirmation")
            .values(status="failed", last_error="550 mailbox unavailable")
        )
        db.session.commit()
    home = desk.get("/studio/bookings").text
    assert "could not be delivered" in home
    assert f"/studio/bookings/{booking_id}" in home and "550 mailbox unavailable" in home
    page = desk.get(f"/studio/bookings/{booking_id}").text
    assert "Failed: 550 mailbox unavailable" in page and "Send again" in page


def test_the_clinics_notice_links_to_the_desk_and_never_holds_the_reason(app, make_tenant, booked):
    tenant = make_tenant("clinic-a")
    booking_id, _ = booked(tenant)
    with app.app_context():
        notice = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "clinic-new")
        ).one()
        assert f"http://clinic-a.test/studio/bookings/{booking_id}" in notice.body_text
        for message in db.session.scalars(select(OutboxMessage)):
            assert REASON not in message.body_text + (message.body_html or "")
            assert REASON not in message.subject and REASON not in (message.ics or "")


def test_owners_export_a_date_range_without_reasons(app, make_tenant, booked, signed_in_client):
    tenant = make_tenant("clinic-a")
    booking_id, start = booked(tenant)
    day = start.astimezone(ZoneInfo("Europe/London")).date()
    owner = signed_in_client(tenant, "owner")
    sheet = owner.get("/studio/bookings")
    token = csrf_token(sheet.text)
    assert "Download CSV" in sheet.text
    before = row_counts(app)
    wrong = owner.post(
        "/studio/bookings/export",
        data={"csrf_token": token, "first": day.isoformat(), "last": "2000-01-01"},
    )
    assert wrong.status_code == 400 and "same as or after" in wrong.text
    assert row_counts(app) == before
    response = owner.post(
        "/studio/bookings/export",
        data={"csrf_token": token, "first": day.isoformat(), "last": day.isoformat()},
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["client_email"] for r in rows] == ["ada@example.com"]
    assert rows[0]["starts_local"].startswith(
        start.astimezone(ZoneInfo("Europe/London")).isoformat()[:16]
    )
    assert REASON not in response.text
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "bookings.export")
        ).one()
        assert event.details["count"] == 1
    desk = signed_in_client(tenant, "front_desk")
    desk_sheet = desk.get("/studio/bookings").text
    assert "Download CSV" not in desk_sheet
    refused = desk.post(
        "/studio/bookings/export",
        data={
            "csrf_token": csrf_token(desk_sheet),
            "first": day.isoformat(),
            "last": day.isoformat(),
        },
    )
    assert refused.status_code == 403
