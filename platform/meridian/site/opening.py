"""A location's week of opening hours as a visitor reads it: today highlighted, "open
now" or when it next opens, in the location's own time zone.

Pure functions of the weekly hours, the closed (and opened-anyway) days and `now`.
The answer changes only at an opening or closing time or at local midnight, so
`OpeningWeek.valid_until` tells the page cache when a rendered page goes stale: the
page is computed when served, needs no script, and is never cached past that moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..booking.slots import holidays_between, local_instant

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class DayHours:
    weekday: int
    name: str
    ranges: tuple[tuple[time, time], ...]
    is_today: bool


@dataclass(frozen=True)
class OpeningWeek:
    zone_label: str  # "Wellington time"
    days: tuple[DayHours, ...]
    open_now: bool
    closes_at: time | None  # when open: today's closing time of the current range
    next_open: tuple[date, time] | None  # when closed: the next local opening
    closed_today_reason: str  # "public holiday", a closure's reason, or ""
    today: date
    valid_until: datetime  # UTC: the first moment any of the above may change

    @property
    def today_hours(self) -> DayHours:
        return next(day for day in self.days if day.is_today)

    @property
    def opens_tomorrow(self) -> bool:
        return self.next_open is not None and self.next_open[0] == self.today + timedelta(days=1)

    @property
    def opens_today(self) -> bool:
        return self.next_open is not None and self.next_open[0] == self.today


def zone_label(city: str, zone: str) -> str:
    """ "Wellington time" for a Wellington location, else the zone's city ("Auckland time")."""
    place = city or zone.rsplit("/", 1)[-1].replace("_", " ")
    return f"{place} time"


def opening_week(
    *,
    zone: str,
    city: str,
    country: str,
    subdivision: str,
    hours: Iterable[tuple[int, time, time]],
    closures: Iterable[tuple[date, bool, str]],
    now: datetime,
) -> OpeningWeek:
    """`hours`: (weekday, opens, closes) local; `closures`: (day, is_open, reason)."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    today = local.date()
    by_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, opens, closes in hours:
        by_day.setdefault(weekday, []).append((opens, closes))
    for ranges in by_day.values():
        ranges.sort()
    closed = {day: reason for day, is_open, reason in closures if not is_open}
    opened = {day for day, is_open, _ in closures if is_open}
    holidays = holidays_between(country, subdivision, today, today + timedelta(days=8))

    def shut(day: date) -> str:
        if day in closed:
            return closed[day] or "closed"
        if day in holidays and day not in opened:
            return "public holiday"
        return ""

    def ranges_on(day: date) -> list[tuple[time, time]]:
        return [] if shut(day) else by_day.get(day.weekday(), [])

    clock = local.time().replace(tzinfo=None)
    current = next((r for r in ranges_on(today) if r[0] <= clock < r[1]), None)
    next_open = None
    if current is None:
        for offset in range(8):
            day = today + timedelta(days=offset)
            later = [r for r in ranges_on(day) if offset > 0 or r[0] > clock]
            if later:
                next_open = (day, later[0][0])
                break
    # The answer changes at the next opening or closing time today, or at midnight.
    changes = [t for r in ranges_on(today) for t in r if t > clock]
    midnight = datetime.combine(today + timedelta(days=1), time(0), tz).astimezone(UTC)
    moments = [local_instant(today, t, tz) for t in changes]
    valid_until = min([m for m in moments if m is not None and m > now] + [midnight])
    days = tuple(
        DayHours(w, DAY_NAMES[w], tuple(by_day.get(w, [])), w == today.weekday()) for w in range(7)
    )
    return OpeningWeek(
        zone_label=zone_label(city, zone),
        days=days,
        open_now=current is not None,
        closes_at=current[1] if current else None,
        next_open=next_open,
        closed_today_reason=shut(today),
        today=today,
        valid_until=valid_until,
    )
