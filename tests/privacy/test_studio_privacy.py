"""The studio's privacy page: owners set the retention periods; every change audited."""

from __future__ import annotations

import re

from sqlalchemy import select

from meridian.extensions import db
from meridian.models import AuditEvent, PrivacySettings


def test_the_page_shows_the_defaults(make_tenant, signed_in_client):
    owner = signed_in_client(make_tenant("clinic-a"), "owner")
    page = owner.get("/studio/privacy")
    assert page.status_code == 200
    for name, value in (("reason_days", 30), ("booking_months", 24), ("contact_months", 12)):
        field = re.search(rf'<input[^>]* name="{name}"[^>]*>', page.text).group(0)
        assert f'value="{value}"' in field and 'type="number"' in field


def test_saving_stores_the_periods_and_audits_the_change(app, make_tenant, signed_in_client):
    clinic = make_tenant("clinic-a")
    owner = signed_in_client(clinic, "owner")
    response = owner.post(
        "/studio/privacy",
        data={
            "csrf_token": owner.csrf,
            "reason_days": "14",
            "booking_months": "24",
            "contact_months": "12",
        },
        follow_redirects=True,
    )
    assert "The privacy notice shows the new periods now" in response.text
    with app.app_context():
        row = db.session.scalars(select(PrivacySettings)).one()
        assert (row.tenant_id, row.reason_days, row.booking_months) == (clinic.id, 14, 24)
        event = db.session.scalars(select(AuditEvent).filter_by(action="privacy.retention")).one()
        assert event.tenant_id == clinic.id
        assert event.details["changes"] == {"reason_days": [30, 14]}


def test_a_bad_value_is_shown_beside_its_field_and_nothing_is_saved(
    app, make_tenant, signed_in_client
):
    owner = signed_in_client(make_tenant("clinic-a"), "owner")
    response = owner.post(
        "/studio/privacy",
        data={
            "csrf_token": owner.csrf,
            "reason_days": "0",
            "booking_months": "lots",
            "contact_months": "12",
        },
    )
    assert response.status_code == 422
    assert 'id="reason_days-error"' in response.text
    assert "Please choose between 1 and 3650." in response.text
    assert 'id="booking_months-error"' in response.text
    assert 'value="lots"' in response.text or 'value=""' in response.text
    with app.app_context():
        assert db.session.scalars(select(PrivacySettings)).first() is None


def test_only_owners_may_change_it(app, make_tenant, signed_in_client):
    clinic = make_tenant("clinic-a")
    for role in ("editor", "front_desk"):
        client = signed_in_client(clinic, role)
        assert client.get("/studio/privacy").status_code == 403
        response = client.post(
            "/studio/privacy",
            data={
                "csrf_token": client.csrf,
                "reason_days": "1",
                "booking_months": "1",
                "contact_months": "1",
            },
        )
        assert response.status_code == 403
    with app.app_context():
        assert db.session.scalars(select(PrivacySettings)).first() is None


def test_one_clinics_owner_changes_only_their_clinic(app, make_tenant, signed_in_client):
    a = make_tenant("clinic-a")
    b = make_tenant("clinic-b")
    owner = signed_in_client(a, "owner")
    owner.post(
        "/studio/privacy",
        data={
            "csrf_token": owner.csrf,
            "reason_days": "5",
            "booking_months": "6",
            "contact_months": "7",
        },
    )
    with app.app_context():
        rows = db.session.scalars(select(PrivacySettings)).all()
        assert [(r.tenant_id, r.reason_days) for r in rows] == [(a.id, 5)]
        assert b.id not in {r.tenant_id for r in rows}
