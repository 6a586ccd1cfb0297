"""Fixtures for the privacy tests: bookings and readers' rows at chosen dates."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from meridian.extensions import db
from meridian.models import Booking, Practitioner, SlotClaim, utcnow


@pytest.fixture
def add_booking(app, make_service):
    """`add_booking(tenant, starts_at, reason="…")`: a confirmed booking row (with its
    slot claims) at any time, past included; returns its id."""
    services = {}

    def make(tenant, starts_at: datetime, *, reason: str = "", **fields) -> int:
        if tenant.id not in services:
            services[tenant.id] = make_service(tenant, f"svc-{tenant.id}")
        service = services[tenant.id]
        with app.app_context():
            practitioner_id = db.session.scalar(
                select(Practitioner.id).where(Practitioner.tenant_id == tenant.id).limit(1)
            )
            ends = starts_at + timedelta(minutes=15)
            booking = Booking(
                tenant_id=tenant.id,
                reference=secrets.token_hex(4).upper(),
                location_id=tenant.locations[0].id,
                service_id=service.id,
                practitioner_id=practitioner_id,
                starts_at=starts_at,
                ends_at=ends,
                blocked_until=ends,
                client_name=fields.pop("client_name", "Ada Lovelace"),
                client_email=fields.pop("client_email", "ada@example.com"),
                client_phone="+442079460018",
                reason=reason,
                consent_at=starts_at - timedelta(days=1),
                created_at=starts_at - timedelta(days=1),
                calendar_uid=secrets.token_hex(8),
                **fields,
            )
            db.session.add(booking)
            db.session.flush()
            db.session.add(
                SlotClaim(
                    tenant_id=tenant.id,
                    practitioner_id=practitioner_id,
                    granule_start=starts_at,
                    booking_id=booking.id,
                )
            )
            db.session.commit()
            return booking.id

    return make


def days_ago(days: float) -> datetime:
    return utcnow() - timedelta(days=days)
