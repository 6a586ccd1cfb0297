"""Slot computation benchmark: 60 days of free times for one location, 500 bookings.

    .venv/bin/python bench/slots.py [--rounds 200]

Times the pure function (`meridian.booking.slots.free_slots`) on a location open
Mon–Sat with 500 existing bookings spread over the 60 days, and prints the median
(target: under 20 ms). No database: the query that loads the bookings is one indexed
range scan and is measured separately by the test suite's query counts.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from meridian.booking.slots import Rules, free_slots, holidays_between


def build(seed: int = 7):
    zone = ZoneInfo("Pacific/Auckland")
    now = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
    hours = [(d, clock(9), clock(12, 30)) for d in range(6)]
    hours += [(d, clock(13, 30), clock(19)) for d in range(5)]
    today = now.astimezone(zone).date()
    rules = Rules(
        zone="Pacific/Auckland",
        hours=hours,
        duration=45,
        buffer=15,
        min_notice=120,
        horizon_days=60,
        holiday_days=holidays_between("NZ", "WGN", today, today + timedelta(days=60)),
    )
    rng = random.Random(seed)
    busy = []
    # 500 one-hour blocks (45 min + 15 buffer): 8 or 9 a day on whole hours, 60 days.
    for offset in range(60):
        day = today + timedelta(days=offset + 1)
        per_day = 9 if offset < 500 - 8 * 60 else 8
        for hour in sorted(rng.sample(range(9, 19), per_day)):
            start = datetime.combine(day, clock(hour), zone).astimezone(UTC)
            busy.append((start, start + timedelta(minutes=60)))
    return rules, busy, now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    rules, busy, now = build()
    free_slots(rules, busy, now)  # warm up (holiday tables, zoneinfo cache)
    timings = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        result = free_slots(rules, busy, now)
        timings.append((time.perf_counter() - started) * 1000)
    slots = sum(len(v) for v in result.values())
    print(f"60 days, {len(busy)} bookings, {len(result)} open days, {slots} free slots")
    print(
        f"median {statistics.median(timings):.2f} ms   "
        f"p95 {sorted(timings)[int(len(timings) * 0.95)]:.2f} ms   "
        f"({args.rounds} rounds; target < 20 ms)"
    )


if __name__ == "__main__":
    main()
