"""The week view of the booking flow: which days of a week have free times, the times
of the chosen day, and links to the weeks either side. Pure: no request, no database.

A week starts on the first day of the week in the clinic's locale (Monday in New
Zealand and the United Kingdom). The shown week is the one holding the chosen day, or
the asked-for week, or the first week with a free time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from babel import Locale, UnknownLocaleError


@dataclass
class Week:
    start: date
    days: list[tuple[date, int]]  # each day of the week and its number of free times
    previous: date | None = None  # the previous week's first day, if it can be shown
    next: date | None = None
    next_free: date | None = None  # the first free day after this week, if it has none

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def has_times(self) -> bool:
        return any(count for _, count in self.days)


@dataclass
class Picker:
    week: Week
    day: date | None
    times: list[datetime] = field(default_factory=list)
    day_error: str | None = None


def first_weekday(locale: str) -> int:
    try:
        return Locale.parse(locale).first_week_day
    except (ValueError, UnknownLocaleError):
        return 0


def week_start(day: date, first: int = 0) -> date:
    return day - timedelta(days=(day.weekday() - first) % 7)


def pick(
    slots: Mapping[date, list[datetime]],
    today: date,
    last_day: date,
    asked_day: date | None = None,
    asked_week: date | None = None,
    first: int = 0,
    day_was_malformed: bool = False,
) -> Picker:
    """The week and day to show. `asked_day` wins if it has free times; otherwise the
    visitor is told why, and shown the first free day as if nothing had been asked."""
    free = sorted(day for day, times in slots.items() if times)
    error = None
    if day_was_malformed:
        error = "Please choose a day from the list."
    elif asked_day is not None:
        if asked_day < today:
            error = "That day has already passed. Please choose another day."
        elif asked_day > last_day:
            error = "That day is too far ahead to book yet. Please choose an earlier day."
        elif asked_day not in slots or not slots[asked_day]:
            error = "There are no free times on that day. Please choose another day."
    day: date | None
    if asked_day is not None and error is None:
        day = asked_day
        start = week_start(day, first)
    elif asked_week is not None and error is None:
        lowest, highest = week_start(today, first), week_start(last_day, first)
        start = min(max(week_start(asked_week, first), lowest), highest)
        day = next((d for d in free if start <= d <= start + timedelta(days=6)), None)
    else:
        day = free[0] if free else None
        start = week_start(day or today, first)
    days = [
        (start + timedelta(days=n), len(slots.get(start + timedelta(days=n), []))) for n in range(7)
    ]
    week = Week(start, days)
    if start > week_start(today, first):
        week.previous = start - timedelta(days=7)
    if start + timedelta(days=7) <= last_day:
        week.next = start + timedelta(days=7)
    if not week.has_times:
        week.next_free = next((d for d in free if d > week.end), None)
    return Picker(week, day, list(slots.get(day, [])) if day else [], error)
