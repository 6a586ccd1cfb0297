"""Slot computation: pure, in the location's zone, DST-safe, with every rule applied."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from meridian.booking.slots import (
    Rules,
    fairest,
    first_available,
    free_slots,
    holidays_between,
    merged,
    nearest,
    within,
)

EVERY_DAY = [(d, time(9), time(17)) for d in range(7)]


def rules(zone="Europe/London", **kw) -> Rules:
    values = {"zone": zone, "hours": EVERY_DAY, "duration": 15, "buffer": 0, "min_notice": 0}
    return Rules(**(values | kw))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def slots_on(r: Rules, day: date, busy=(), now=None) -> list[datetime]:
    now = now or datetime.combine(day - timedelta(days=2), time(12), UTC)
    return free_slots(r, busy, now, day, day).get(day, [])


# (zone, day before, change day, day after, UTC 09:00 before, UTC 09:00 after)
TRANSITIONS = [
    # Wellington: NZDT (+13) ends Sun 5 April 2026, NZST (+12) until Sun 27 September.
    ("Pacific/Auckland", date(2026, 4, 4), date(2026, 4, 5), date(2026, 4, 6), 20, 21),
    ("Pacific/Auckland", date(2026, 9, 26), date(2026, 9, 27), date(2026, 9, 28), 21, 20),
    # London: BST (+1) from Sun 29 March 2026 to Sun 25 October.
    ("Europe/London", date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30), 9, 8),
    ("Europe/London", date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26), 8, 9),
]


@pytest.mark.parametrize(("zone", "before", "change", "after", "h_before", "h_after"), TRANSITIONS)
def test_nine_am_local_maps_to_the_right_utc_instant_each_side(
    zone, before, change, after, h_before, h_after
):
    r = rules(zone)
    first_before = slots_on(r, before)[0]
    first_after = slots_on(r, after)[0]
    # 09:00 local the day before and the day after the change.
    prev_day = before - timedelta(days=1) if h_before > 12 else before
    next_day = after - timedelta(days=1) if h_after > 12 else after
    assert first_before == utc(prev_day.year, prev_day.month, prev_day.day, h_before)
    assert first_after == utc(next_day.year, next_day.month, next_day.day, h_after)
    for moment in (first_before, first_after):
        assert moment.astimezone(ZoneInfo(zone)).time() == time(9)


@pytest.mark.parametrize(("zone", "before", "change", "after", "h_before", "h_after"), TRANSITIONS)
def test_change_day_has_every_slot_once(zone, before, change, after, h_before, h_after):
    r = rules(zone)
    on_change = slots_on(r, change)
    # 09:00-17:00 in 15-minute steps: 32 slots, as on any other day.
    assert len(on_change) == len(set(on_change)) == 32
    local = [s.astimezone(ZoneInfo(zone)) for s in on_change]
    assert local[0].time() == time(9) and local[-1].time() == time(16, 45)
    assert all(b - a == timedelta(minutes=15) for a, b in pairwise(on_change))


def test_night_hours_skip_the_gap_and_do_not_double_the_fold():
    night = [(6, time(0), time(4))]  # Sunday 00:00-04:00
    r = rules("Europe/London", hours=night)
    spring = slots_on(r, date(2026, 3, 29))  # 01:00 -> 02:00: 01:xx does not exist
    walls = [s.astimezone(ZoneInfo("Europe/London")).time() for s in spring]
    assert not [w for w in walls if time(1) <= w < time(2)]
    assert len(spring) == len(set(spring))
    autumn = slots_on(r, date(2026, 10, 25))  # 02:00 -> 01:00: 01:xx happens twice
    walls = [s.astimezone(ZoneInfo("Europe/London")).time() for s in autumn]
    assert len(walls) == len(set(walls)) == 16  # each wall-clock time offered once
    assert autumn == sorted(autumn)


def test_minimum_notice():
    day = date(2026, 6, 10)
    now = datetime(2026, 6, 10, 10, 0, tzinfo=ZoneInfo("Europe/London"))  # 10:00 BST
    r = rules(min_notice=120)
    first = free_slots(r, [], now)[day][0]
    assert first.astimezone(ZoneInfo("Europe/London")).time() == time(12, 0)


def test_horizon():
    now = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)
    result = free_slots(rules(horizon_days=10), [], now)
    assert max(result) <= date(2026, 6, 20)
    assert all(s <= now + timedelta(days=10) for d in result.values() for s in d)
    assert date(2026, 6, 19) in result


def test_buffers_block_the_following_slots_and_closing_time_is_respected():
    day = date(2026, 6, 10)
    booked = utc(2026, 6, 10, 9, 0)  # 10:00 BST, 60 min + 15 min buffer
    busy = [(booked, booked + timedelta(minutes=75))]
    r = rules(duration=30, buffer=10)
    free = slots_on(r, day, busy)
    london = [s.astimezone(ZoneInfo("Europe/London")).time() for s in free]
    # 09:15 would run (30 + 10 buffer) into 10:00; 09:00 + 40 = 09:40 is fine.
    assert time(9, 0) in london and time(9, 15) in london and time(9, 30) not in london
    assert not [t for t in london if time(9, 30) <= t < time(11, 15)]
    assert time(11, 15) in london
    assert london[-1] == time(16, 30)  # a 30-minute appointment ends by 17:00


def test_closures_and_open_anyway_overrides():
    now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    closed = date(2026, 1, 14)
    holiday = date(2026, 1, 19)
    r = rules(
        "Pacific/Auckland",
        closed_days=frozenset({closed}),
        holiday_days=frozenset({holiday}),
    )
    result = free_slots(r, [], now)
    assert closed not in result and holiday not in result
    opened = rules(
        "Pacific/Auckland", holiday_days=frozenset({holiday}), open_days=frozenset({holiday})
    )
    assert holiday in free_slots(opened, [], now)


def test_public_holidays_wellington_and_england():
    nz = holidays_between("NZ", "WGN", date(2026, 1, 1), date(2026, 12, 31))
    assert date(2026, 1, 19) in nz  # Wellington Anniversary Day
    assert date(2026, 7, 10) in nz  # Matariki
    assert date(2026, 1, 26) not in nz  # Auckland Anniversary is not Wellington's
    eng = holidays_between("GB", "ENG", date(2026, 1, 1), date(2026, 12, 31))
    assert date(2026, 8, 31) in eng  # late summer bank holiday (England)
    assert date(2026, 8, 3) not in eng  # Scotland's summer bank holiday


def test_nearest_free_times():
    day = date(2026, 6, 10)
    r = rules()
    slots = {day: slots_on(r, day)}
    target = utc(2026, 6, 10, 12, 0)
    assert nearest(slots, target) == [
        target - timedelta(minutes=15),
        target,
        target + timedelta(minutes=15),
    ]


# --- practitioners: hours within opening hours, busy intervals, first available ---


def test_practitioner_hours_are_clipped_to_the_locations_opening_hours():
    opening = [(0, time(9), time(17)), (1, time(9), time(12)), (1, time(13), time(17))]
    hours = [(0, time(8), time(10)), (1, time(11), time(14)), (2, time(9), time(17))]
    assert within(hours, opening) == [
        (0, time(9), time(10)),
        (1, time(11), time(12)),
        (1, time(13), time(14)),
    ]  # Wednesday: the door is shut, so no hours at all


def test_time_off_overlapping_bookings_is_merged_and_blocks_everything_it_covers():
    day = date(2026, 6, 10)
    booked = utc(2026, 6, 10, 9, 0)  # 10:00 BST for 30 minutes
    away = (utc(2026, 6, 10, 9, 15), utc(2026, 6, 10, 12, 0))  # 10:15-13:00 BST
    assert merged([away, (booked, booked + timedelta(minutes=30))]) == [(booked, away[1])]
    free = slots_on(rules(), day, [(booked, booked + timedelta(minutes=30)), away])
    london = [s.astimezone(ZoneInfo("Europe/London")).time() for s in free]
    assert time(9, 45) in london and time(13, 0) in london
    assert not [t for t in london if time(9, 50) <= t < time(13, 0)]


def test_first_available_is_the_union_and_remembers_who_is_free():
    day = date(2026, 6, 10)
    a, b, c = utc(2026, 6, 10, 8), utc(2026, 6, 10, 9), utc(2026, 6, 10, 10)
    slots, who = first_available({1: {day: [a, b]}, 2: {day: [b, c]}, 3: {}})
    assert slots == {day: [a, b, c]}
    assert who == {a: [1], b: [1, 2], c: [2]}


def test_fairest_puts_the_least_booked_that_day_first_then_the_least_booked_overall():
    assert fairest([1, 2, 3], {1: 2, 2: 0, 3: 0}, {2: 5, 3: 1}) == [3, 2, 1]
    assert fairest([1, 2], {}, {}) == [1, 2]  # a tie keeps the team's order
