"""Slot computation benchmark: 60 days, 3 practitioners, 2 locations, 1,500 bookings.

    .venv/bin/python bench/slots.py [--rounds 200] [--no-db]

A clinic with two locations open Mon–Sat; practitioner A works at the first, B at
both (Mondays, Wednesdays and Fridays at the first, other days at the second, and
Saturday at both), C at the second. 1,500 one-hour bookings (45 minutes + 15 buffer),
500 each, fill 8 or 9 hours a day. Three figures, median and p95 (target < 20 ms):

* pure, one page: `free_slots` for the practitioners of one location and the
  "first available" union, 60 days (what the booking page computes);
* pure, whole clinic: the same for both locations (every practitioner, every place);
* with the database: `availability()` for one location, first available, reading the
  rules, the team, their hours, 60 days of their bookings and time off from SQLite.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

from meridian.booking.slots import Rules, first_available, free_slots, holidays_between, within

ZONE = "Pacific/Auckland"
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
OPENING = [(d, clock(9), clock(19)) for d in range(6)]
# Practitioner -> location -> weekly hours.
TEAM = {
    "a": {0: [(d, clock(9), clock(19)) for d in range(6)]},
    "b": {
        0: [(d, clock(9), clock(19)) for d in (0, 2, 4, 5)],
        1: [(d, clock(9), clock(19)) for d in (1, 3, 5)],
    },
    "c": {1: [(d, clock(9), clock(19)) for d in range(6)]},
}


def build(seed: int = 7):
    """(rules per location, bookings per practitioner as (location, start, until))."""
    zone = ZoneInfo(ZONE)
    today = NOW.astimezone(zone).date()
    base = Rules(
        zone=ZONE,
        hours=OPENING,
        duration=45,
        buffer=15,
        min_notice=120,
        horizon_days=60,
        holiday_days=holidays_between("NZ", "WGN", today, today + timedelta(days=60)),
    )
    rng = random.Random(seed)
    bookings: dict[str, list[tuple[int, datetime, datetime]]] = {p: [] for p in TEAM}
    for person, places in TEAM.items():
        # 500 one-hour blocks: 8 or 9 a day on whole hours over the 60 days.
        for offset in range(60):
            day = today + timedelta(days=offset + 1)
            where = [
                loc for loc, week in places.items() if any(w == day.weekday() for w, *_ in week)
            ]
            location = where[offset % len(where)] if where else next(iter(places))
            per_day = 9 if offset < 500 - 8 * 60 else 8
            for hour in sorted(rng.sample(range(9, 19), per_day)):
                start = datetime.combine(day, clock(hour), zone).astimezone(UTC)
                bookings[person].append((location, start, start + timedelta(minutes=60)))
    return base, bookings


def page(base: Rules, bookings, location: int):
    """What the booking page computes for one location: each practitioner working
    there (busy with their bookings at either place), then first available."""
    per_practitioner = {}
    for person, places in TEAM.items():
        if location not in places:
            continue
        rules = replace(base, hours=within(places[location], base.hours))
        busy = [(start, until) for _, start, until in bookings[person]]
        per_practitioner[person] = free_slots(rules, busy, NOW)
    return first_available(per_practitioner)


def timed(fn, rounds: int) -> tuple[list[tuple[float, float]], object]:
    """(wall ms, CPU ms) of each round. The computation is single-threaded, so its CPU
    time is what it costs; on a shared machine the wall time adds others' work."""
    fn()  # warm up (holiday tables, zoneinfo cache)
    timings, result = [], None
    for _ in range(rounds):
        started, cpu = time.perf_counter(), time.process_time()
        result = fn()
        timings.append(((time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000))
    return timings, result


def report(label: str, timings: list[tuple[float, float]]) -> None:
    for kind, values in (("wall", [t[0] for t in timings]), ("CPU", [t[1] for t in timings])):
        p95 = sorted(values)[int(len(values) * 0.95)]
        print(
            f"{label:<40} {kind:<4} median {statistics.median(values):6.2f} ms   p95 {p95:6.2f} ms"
        )


def with_database(base: Rules, bookings, rounds: int) -> list[tuple[float, float]]:
    """The same clinic in a temporary SQLite database; time `availability()`."""
    folder = tempfile.mkdtemp(prefix="meridian-bench-")
    os.environ.setdefault("SECRET_KEY", "bench")
    from flask_migrate import upgrade

    from meridian import create_app
    from meridian.booking.availability import availability
    from meridian.extensions import db
    from meridian.models import (
        Booking,
        Domain,
        Location,
        OpeningHours,
        Practitioner,
        PractitionerHours,
        PractitionerService,
        Service,
        Tenant,
    )

    root = Path(__file__).resolve().parents[1]
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3", "TESTING": True}
    )
    with app.app_context():
        upgrade(directory=str(root / "migrations"))
        tenant = Tenant(slug="bench", name="Bench", social={})
        tenant.domains.append(Domain(hostname="bench.test", is_primary=True))
        db.session.add(tenant)
        db.session.flush()
        places = []
        for n in range(2):
            place = Location(
                tenant_id=tenant.id, slug=f"l{n}", name=f"L{n}", country="NZ",
                timezone=ZONE, holiday_subdivision="WGN", position=n,
            )  # fmt: skip
            db.session.add(place)
            db.session.flush()
            for weekday, opens, closes in OPENING:
                db.session.add(OpeningHours(tenant_id=tenant.id, location_id=place.id,
                                            weekday=weekday, opens=opens, closes=closes))  # fmt: skip
            places.append(place)
        service = Service(tenant_id=tenant.id, slug="s", name="S", duration_minutes=45,
                          buffer_minutes=15, min_notice_minutes=120, horizon_days=60)  # fmt: skip
        db.session.add(service)
        db.session.flush()
        for position, (person, where) in enumerate(TEAM.items()):
            row = Practitioner(tenant_id=tenant.id, slug=person, name=person, position=position)
            db.session.add(row)
            db.session.flush()
            db.session.add(PractitionerService(tenant_id=tenant.id, practitioner_id=row.id,
                                               service_id=service.id))  # fmt: skip
            for index, week in where.items():
                for weekday, opens, closes in week:
                    db.session.add(PractitionerHours(
                        tenant_id=tenant.id, practitioner_id=row.id,
                        location_id=places[index].id, weekday=weekday, opens=opens,
                        closes=closes,
                    ))  # fmt: skip
            for n, (index, start, until) in enumerate(bookings[person]):
                db.session.add(Booking(
                    tenant_id=tenant.id, reference=f"{person}{n}", location_id=places[index].id,
                    service_id=service.id, practitioner_id=row.id, starts_at=start,
                    ends_at=until - timedelta(minutes=15), blocked_until=until,
                    client_name="x", client_email="x@example.com", client_phone="+6441234567",
                    consent_at=NOW, calendar_uid=f"{person}{n}",
                ))  # fmt: skip
        db.session.commit()
        first = db.session.get(Location, places[0].id)
        svc = db.session.get(Service, service.id)
        count = db.session.query(Booking).count()
        timings, result = timed(lambda: availability(first, svc, NOW), rounds)
        slots = sum(len(v) for v in result.slots.values())
        print(f"database: {count} bookings, first location: {slots} free times")
        return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--no-db", action="store_true", help="skip the SQLite measurement")
    args = parser.parse_args()
    base, bookings = build()
    total = sum(len(b) for b in bookings.values())
    one, (slots, _) = timed(lambda: page(base, bookings, 0), args.rounds)
    both, _ = timed(lambda: (page(base, bookings, 0), page(base, bookings, 1)), args.rounds)
    free = sum(len(v) for v in slots.values())
    print(f"60 days, 3 practitioners, 2 locations, {total} bookings; first location: "
          f"{len(slots)} open days, {free} free times")  # fmt: skip
    report("pure, one location (first available)", one)
    report("pure, both locations (whole clinic)", both)
    if not args.no_db:
        report(
            "with SQLite, one location", with_database(base, bookings, max(args.rounds // 4, 10))
        )
    print(f"({args.rounds} rounds; target < 20 ms; load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    sys.exit(main())
