"""Fixtures for the bookings desk: a clinic with a booking made the visitor's way."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from meridian.extensions import db
from meridian.models import Booking, Service

REASON = "MARKER-REASON lower back pain since June"


@pytest.fixture
def booked(app, make_service, next_free, book_via_http):
    """`booked(tenant, index=0, **fields)` -> (booking id, start) made through /book/."""

    def make(tenant, index: int = 0, service=None, **fields) -> tuple[int, datetime]:
        if service is None:
            with app.app_context():
                service = db.session.scalars(
                    select(Service).where(Service.tenant_id == tenant.id)
                ).first()
                if service is not None:
                    db.session.expunge(service)
            service = service or make_service(tenant)
        start = next_free(tenant, service, index)
        fields.setdefault("reason", REASON)
        response = book_via_http(tenant, service, start, **fields)
        assert response.status_code == 303, response.text
        with app.app_context():
            booking_id = db.session.scalar(
                select(Booking.id)
                .where(Booking.tenant_id == tenant.id, Booking.starts_at == start)
                .order_by(Booking.id.desc())
            )
        return booking_id, start

    return make
