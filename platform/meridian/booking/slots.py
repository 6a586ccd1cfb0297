"""Free appointment times: a pure function of hours, closures, holidays and bookings.

Everything is computed in the location's IANA zone and returned as aware UTC
instants. Local times that do not exist (the spring-forward gap) are skipped; local
times that happen twice (the autumn fold) are offered once, at their first instant.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib

STEP_MINUTES = 15


@dataclass(frozen=True)
class Rules:
    """What one service at one location allows."""

    zone: str
    hours: Sequence[tuple[int, time, time]]  # (weekday 0=Mon, opens, closes), local
    duration: int  # minutes
    buffer: int = 0  # minutes blocked after the appointment
    min_notice: int = 120  # minutes
    horizon_days: int = 60
    closed_days: frozenset[date] = frozenset()  # closures
    open_days: frozenset[date] = frozenset()  # "open anyway" overrides of holidays
    holiday_days: frozenset[date] = frozenset()
    step: int = STEP_MINUTES


@lru_cache(maxsize=256)
def public_holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    """Public holidays of a country (and region, e.g. NZ/WGN, GB/ENG) in one year."""
    try:
        calendar = holidays_lib.country_holidays(
            country, subdiv=subdivision or None, years=year, language="en_US"
        )
    except (NotImplementedError, KeyError):
        return frozenset()
    return frozenset(calendar.keys())


def holidays_between(country: str, subdivision: str, first: date, last: date) -> frozenset[date]:
    days: set[date] = set()
    for year in range(first.year, last.year + 1):
        days |= public_holidays(country, subdivision, year)
    return frozenset(days)


def local_instant(day: date, clock: time, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of a local wall time, or None if the clocks skip it."""
    naive = datetime.combine(day, clock)
    aware = naive.replace(tzinfo=zone, fold=0)
    utc = aware.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != naive:
        return None  # in the spring-forward gap
    return utc


def is_open_day(rules: Rules, day: date) -> bool:
    if day in rules.closed_days:
        return False
    return not (day in rules.holiday_days and day not in rules.open_days)


def free_slots(
    rules: Rules,
    busy: Iterable[tuple[datetime, datetime]],
    now: datetime,
    first_day: date | None = None,
    last_day: date | None = None,
) -> dict[date, list[datetime]]:
    """Free start instants (UTC) per local day, from today to the horizon.

    `busy` holds the [start, blocked_until) intervals of existing bookings. A slot is
    free when [start, start + duration + buffer) overlaps none of them, it starts at
    least `min_notice` after `now`, and the appointment ends by closing time.
    """
    zone = ZoneInfo(rules.zone)
    today = now.astimezone(zone).date()
    horizon_end = today + timedelta(days=rules.horizon_days)
    first = max(first_day or today, today)
    last = min(last_day or horizon_end, horizon_end)
    earliest = now + timedelta(minutes=rules.min_notice)
    latest_start = now + timedelta(days=rules.horizon_days)
    length = timedelta(minutes=rules.duration)
    blocked = timedelta(minutes=rules.duration + rules.buffer)
    step = timedelta(minutes=rules.step)

    intervals = sorted(busy)
    starts = [s for s, _ in intervals]
    # Busy intervals are non-overlapping (the database guarantees it), so their ends
    # are sorted too and one bisect finds the first candidate conflict.
    ends = [e for _, e in intervals]

    by_weekday: dict[int, list[tuple[time, time]]] = {}
    for weekday, opens, closes in rules.hours:
        by_weekday.setdefault(weekday, []).append((opens, closes))

    result: dict[date, list[datetime]] = {}
    day = first
    while day <= last:
        spans = by_weekday.get(day.weekday())
        if spans and is_open_day(rules, day):
            found: list[datetime] = []
            for opens, closes in sorted(spans):
                found.extend(
                    _day_span(day, opens, closes, zone, step, length, blocked, starts, ends)
                )
            found = [s for s in found if earliest <= s <= latest_start]
            if found:
                result[day] = found
        day += timedelta(days=1)
    return result


def _day_span(day, opens, closes, zone, step, length, blocked, starts, ends):
    close_at = local_instant(day, closes, zone)
    if close_at is None:
        return []
    seen: set[datetime] = set()
    slots = []
    clock = datetime.combine(day, opens)
    end_clock = datetime.combine(day, closes)
    while clock < end_clock:
        start = local_instant(day, clock.time(), zone)
        clock += step
        if start is None or start in seen or start + length > close_at:
            continue
        seen.add(start)
        # First busy interval that ends after our start: overlap if it begins before
        # our blocked end.
        index = bisect_right(ends, start)
        if index < len(starts) and starts[index] < start + blocked:
            continue
        slots.append(start)
    return slots


def nearest(
    slots: Mapping[date, list[datetime]], target: datetime, count: int = 3
) -> list[datetime]:
    """The free times closest to `target` (the race loser's alternatives)."""
    every = [s for day in slots.values() for s in day]
    every.sort(key=lambda s: (abs(s - target), s))
    return sorted(every[:count])
