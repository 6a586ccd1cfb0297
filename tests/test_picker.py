"""The week view: which week and day are shown, and where its links lead."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from meridian.booking.picker import first_weekday, pick, week_start

TODAY = date(2026, 11, 25)  # a Wednesday
LAST = TODAY + timedelta(days=60)


def slots(*days: date) -> dict[date, list[datetime]]:
    return {d: [datetime(d.year, d.month, d.day, 9, tzinfo=UTC)] * 3 for d in days}


def test_weeks_start_on_the_locales_first_day():
    assert first_weekday("en_NZ") == first_weekday("en_GB") == 0
    assert week_start(TODAY) == date(2026, 11, 23)
    assert week_start(TODAY, first=6) == date(2026, 11, 22)


def test_first_free_day_and_its_week_by_default():
    friday = date(2026, 11, 27)
    picked = pick(slots(friday, date(2026, 12, 1)), TODAY, LAST)
    assert picked.day == friday and picked.day_error is None
    assert picked.week.start == date(2026, 11, 23)
    assert [count for _, count in picked.week.days] == [0, 0, 0, 0, 3, 0, 0]
    assert picked.week.previous is None  # nothing before this week can be booked
    assert picked.week.next == date(2026, 11, 30)
    assert len(picked.times) == 3


def test_an_asked_week_shows_its_first_free_day_or_the_next_one_after_it():
    later = date(2026, 12, 9)
    picked = pick(slots(date(2026, 11, 27), later), TODAY, LAST, asked_week=date(2026, 12, 2))
    assert picked.week.start == date(2026, 11, 30) and picked.day is None
    assert not picked.week.has_times and picked.week.next_free == later
    assert picked.week.previous == date(2026, 11, 23)
    picked = pick(slots(later), TODAY, LAST, asked_week=date(2026, 12, 7))
    assert picked.day == later
    # Weeks outside the bookable range are clamped to it.
    assert pick(slots(later), TODAY, LAST, asked_week=date(2020, 1, 6)).week.start == date(
        2026, 11, 23
    )
    far = pick(slots(later), TODAY, LAST, asked_week=date(2030, 1, 7))
    assert far.week.start == week_start(LAST) and far.week.next is None


def test_an_asked_day_is_shown_or_refused_with_a_reason():
    monday = date(2026, 11, 30)
    free = slots(date(2026, 11, 27), monday)
    assert pick(free, TODAY, LAST, asked_day=monday).day == monday
    for asked, reason in (
        (date(2026, 11, 20), "already passed"),
        (LAST + timedelta(days=1), "too far ahead"),
        (date(2026, 12, 1), "no free times"),
    ):
        picked = pick(free, TODAY, LAST, asked_day=asked)
        assert reason in picked.day_error
        assert picked.day == date(2026, 11, 27)  # back to the first free day
    assert "from the list" in pick(free, TODAY, LAST, day_was_malformed=True).day_error


def test_no_free_times_at_all():
    picked = pick({}, TODAY, LAST)
    assert picked.day is None and picked.times == [] and picked.week.next_free is None
    assert picked.week.start == week_start(TODAY)
