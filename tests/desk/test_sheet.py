"""The day sheet, the week calendar and a booking's page: who sees what, in whose time,
and every view of a client's details in the audit log."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from meridian.extensions import db
from meridian.models import AuditEvent, Booking

from ..factories import row_counts
from .conftest import REASON


def _clock(start, zone: str) -> str:
    return start.astimezone(ZoneInfo(zone)).strftime("%H:%M")  # en_GB's short time


@pytest.mark.parametrize("zone", ["Europe/London", "Pacific/Auckland"])
def test_the_day_sheet_shows_a_visitors_booking_in_the_locations_time(
    make_tenant, booked, signed_in_client, zone
):
    tenant = make_tenant("clinic-a", timezone=zone)
    booking_id, start = booked(tenant)
    day = start.astimezone(ZoneInfo(zone)).date()
    desk = signed_in_client(tenant, "front_desk")
    page = desk.get(f"/studio/bookings?day={day.isoformat()}")
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    assert "Pat Example" in page.text  # the practitioner's column
    assert "Ada Lovelace" in page.text
    assert f"/studio/bookings/{booking_id}" in page.text
    assert f">{_clock(start, zone)}</time>" in page.text
    assert REASON not in page.text  # the sheet never shows reasons
    # The day before shows the column but not the booking.
    other = desk.get(f"/studio/bookings?day={(day - timedelta(days=1)).isoformat()}")
    assert "Pat Example" in other.text and "Ada Lovelace" not in other.text
    # The week holding that day shows it too, with links to each day.
    week = desk.get(f"/studio/bookings?day={day.isoformat()}&view=week")
    assert "Ada Lovelace" in week.text
    assert f"day={day.isoformat()}" in week.text


def test_today_is_the_default_and_the_links_move_by_day_and_week(make_tenant, signed_in_client):
    tenant = make_tenant("clinic-a", timezone="Pacific/Auckland")
    from datetime import UTC, datetime

    today = datetime.now(UTC).astimezone(ZoneInfo("Pacific/Auckland")).date()
    desk = signed_in_client(tenant, "owner")
    page = desk.get("/studio/bookings")
    assert page.status_code == 200
    assert f'value="{today.isoformat()}"' in page.text
    assert f"day={(today + timedelta(days=1)).isoformat()}" in page.text
    assert f"day={(today - timedelta(days=1)).isoformat()}" in page.text
    week = desk.get(f"/studio/bookings?view=week&day={today.isoformat()}")
    assert f"day={(today + timedelta(days=7)).isoformat()}" in week.text
    # Nonsense in the query string falls back to today, never a 500.
    assert desk.get("/studio/bookings?day=2026-13-45&location=x&practitioner=-1").status_code == 200


def test_filters_by_practitioner_and_location(
    app, make_tenant, make_service, add_practitioner, add_location, booked, signed_in_client
):
    tenant = make_tenant("clinic-a")
    service = make_service(tenant)
    sam = add_practitioner(tenant, "sam")
    annex = add_location(tenant, "annex", practitioners=("sam",))
    booking_id, start = booked(tenant, service=service)
    with app.app_context():
        pat = db.session.scalar(select(Booking.practitioner_id).where(Booking.id == booking_id))
    day = start.astimezone(ZoneInfo("Europe/London")).date().isoformat()
    desk = signed_in_client(tenant, "front_desk")
    both = desk.get(f"/studio/bookings?day={day}")
    assert "Annex" in both.text and "Sam Example" in both.text
    mine = desk.get(f"/studio/bookings?day={day}&practitioner={pat}")
    assert "Ada Lovelace" in mine.text
    theirs = desk.get(f"/studio/bookings?day={day}&practitioner={sam if pat != sam else 999}")
    assert "Ada Lovelace" not in theirs.text
    annex_only = desk.get(f"/studio/bookings?day={day}&location={annex}")
    assert f'id="location-{annex}"' in annex_only.text
    assert f'id="location-{tenant.locations[0].id}"' not in annex_only.text
    assert "Ada Lovelace" not in annex_only.text


def test_the_sheet_costs_the_same_queries_for_one_booking_or_many(
    make_tenant, make_service, booked, signed_in_client, count_queries
):
    tenant = make_tenant("clinic-a")
    service = make_service(tenant)
    _, start = booked(tenant, service=service)
    desk = signed_in_client(tenant, "front_desk")
    url = f"/studio/bookings?view=week&day={start.date().isoformat()}"
    desk.get(url)
    with count_queries() as few:
        desk.get(url)
    for index in (3, 6, 9):
        booked(tenant, index, service=service, email=f"c{index}@example.com")
    with count_queries() as many:
        desk.get(url)
    assert len(many) == len(few)


def test_a_bookings_page_shows_the_client_and_reason_and_audits_the_view(
    app, make_tenant, booked, signed_in_client
):
    tenant = make_tenant("clinic-a")
    booking_id, _ = booked(tenant)
    for role in ("owner", "front_desk"):
        page = signed_in_client(tenant, role, email=f"{role}2@clinic-a.test").get(
            f"/studio/bookings/{booking_id}"
        )
        assert page.status_code == 200
        assert "no-store" in page.headers["Cache-Control"]
        for expected in (REASON, "Ada Lovelace", "ada@example.com", "Booked online", "I agree"):
            assert expected in page.text
        assert "Queued" in page.text or "Sent" in page.text  # the confirmation e-mail's state
    with app.app_context():
        views = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "booking.view")
        ).all()
        assert [v.target for v in views] == [f"booking:{booking_id}"] * 2
        assert {v.actor_email for v in views} == {
            "owner2@clinic-a.test",
            "front_desk2@clinic-a.test",
        }
        assert all(REASON not in str(v.details) for v in views)


def test_an_editor_never_sees_a_booking_or_the_sheet(app, make_tenant, booked, signed_in_client):
    tenant = make_tenant("clinic-a")
    booking_id, _ = booked(tenant)
    editor = signed_in_client(tenant, "editor")
    before = row_counts(app)
    assert editor.get("/studio/bookings").status_code == 403
    page = editor.get(f"/studio/bookings/{booking_id}")
    assert page.status_code == 403 and REASON not in page.text
    assert row_counts(app) == before
    assert "/studio/bookings" not in editor.get("/studio/").text  # not in the editor's menu
    assert "/studio/bookings" in signed_in_client(tenant, "front_desk").get("/studio/").text


def test_another_clinics_booking_is_not_found_and_not_audited(
    app, make_tenant, booked, signed_in_client
):
    a, b = make_tenant("clinic-a"), make_tenant("clinic-b")
    theirs, start = booked(b)
    before = row_counts(app)
    for role in ("owner", "front_desk"):
        client = signed_in_client(a, role)
        before = row_counts(app)
        page = client.get(f"/studio/bookings/{theirs}")
        assert page.status_code == 404 and REASON not in page.text
        sheet = client.get(f"/studio/bookings?day={start.date().isoformat()}&view=week")
        assert "Ada Lovelace" not in sheet.text
        assert row_counts(app) == before
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id))) == 0
