"""Free appointment times: a pure function of hours, closures, holidays and bookings.

Times are computed per practitioner: their hours at a location (within its opening
hours), minus their busy intervals anywhere (bookings, time off). "First available"
is the union over practitioners, remembering who is free at each time.

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


def within(
    hours: Iterable[tuple[int, time, time]], opening: Iterable[tuple[int, time, time]]
) -> list[tuple[int, time, time]]:
    """The parts of a practitioner's weekly `hours` that fall in the location's `opening`
    hours (nobody sees clients while the door is shut)."""
    doors: dict[int, list[tuple[time, time]]] = {}
    for weekday, opens, closes in opening:
        doors.setdefault(weekday, []).append((opens, closes))
    result = []
    for weekday, start, end in hours:
        for opens, closes in doors.get(weekday, []):
            lo, hi = max(start, opens), min(end, closes)
            if lo < hi:
                result.append((weekday, lo, hi))
    return sorted(set(result))


def merged(busy: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Busy intervals sorted, with overlapping or touching ones joined (time off may
    overlap bookings), so both their starts and their ends are in order."""
    result: list[tuple[datetime, datetime]] = []
    for start, end in sorted(busy):
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


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

    intervals = merged(busy)
    starts = [s for s, _ in intervals]
    # Merged intervals do not overlap, so their ends are sorted too and one bisect
    # finds the first candidate conflict.
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
    open_at = local_instant(day, opens, zone)
    wall = datetime.combine(day, closes) - datetime.combine(day, opens)
    if open_at is not None and close_at - open_at == wall:
        # No clock change inside the span (the usual case): step in UTC directly.
        return _steps(open_at, close_at, step, length, blocked, starts, ends)
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


def _steps(open_at, close_at, step, length, blocked, starts, ends):
    slots = []
    start = open_at
    last = close_at - length
    while start <= last:
        index = bisect_right(ends, start)
        if not (index < len(starts) and starts[index] < start + blocked):
            slots.append(start)
        start += step
    return slots


def nearest(
    slots: Mapping[date, list[datetime]], target: datetime, count: int = 3
) -> list[datetime]:
    """The free times closest to `target` (the race loser's alternatives)."""
    every = [s for day in slots.values() for s in day]
    every.sort(key=lambda s: (abs(s - target), s))
    return sorted(every[:count])


def first_available(
    per_practitioner: Mapping[int, Mapping[date, list[datetime]]],
) -> tuple[dict[date, list[datetime]], dict[datetime, list[int]]]:
    """The union of several practitioners' free times, and who is free at each time."""
    who: dict[datetime, list[int]] = {}
    days: dict[date, set[datetime]] = {}
    for practitioner_id, slots in per_practitioner.items():
        for day, starts in slots.items():
            bucket = days.setdefault(day, set())
            for start in starts:
                bucket.add(start)
                who.setdefault(start, []).append(practitioner_id)
    return {day: sorted(starts) for day, starts in sorted(days.items())}, who


def fairest(
    candidates: Iterable[int], booked_that_day: Mapping[int, int], booked_in_all: Mapping[int, int]
) -> list[int]:
    """ "First available" spreads the work: candidates ordered by their bookings that day,
    then by their bookings in the whole window, then by their order on the team."""
    order = {pid: index for index, pid in enumerate(candidates)}
    return sorted(
        order,
        key=lambda pid: (booked_that_day.get(pid, 0), booked_in_all.get(pid, 0), order[pid]),
    )
