"""Run in separate OS processes by test_booking_concurrency: many threads, one moment."""

from __future__ import annotations

import threading
from datetime import datetime


def attempt_all(url, tenant_id, attempts, barrier, results, unchecked) -> None:
    """Each attempt (location_id, practitioner_id or None, service_id, start ISO, index)
    books in its own thread and session, all released at once by the barrier."""
    from meridian import create_app
    from meridian.booking import service as booking_service
    from meridian.extensions import db
    from meridian.models import Location, Practitioner, Service, Tenant

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "race",
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": len(attempts) + 2},
            "MAIL_BACKEND": "file",
        }
    )
    if unchecked:  # prove the database alone refuses the double booking
        booking_service._check_bookable = lambda *args, **kwargs: None

    def one(location_id, practitioner_id, service_id, start: str, index: int) -> None:
        with app.app_context():
            tenant = db.session.get(Tenant, tenant_id)
            location = db.session.get(Location, location_id)
            svc = db.session.get(Service, service_id)
            person = db.session.get(Practitioner, practitioner_id) if practitioner_id else None
            _ = tenant.domains, location.tenant_id
            barrier.wait(timeout=60)
            try:
                booking = booking_service.place_booking(
                    tenant,
                    location,
                    svc,
                    datetime.fromisoformat(start),
                    name=f"Racer {index}",
                    email=f"racer{index}@example.com",
                    phone=f"+4420794600{index:02d}",
                    practitioner=person,
                )
            except booking_service.SlotTaken:
                results.put("taken")
            except Exception as exc:  # reported to the test, which fails on it
                results.put(f"error: {exc!r}")
            else:
                results.put(f"booked:{booking.practitioner_id}:{booking.location_id}")

    threads = [threading.Thread(target=one, args=attempt) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        db.engine.dispose()
