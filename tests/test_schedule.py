"""Scheduling in the clinic's time zone: past times, DST gaps and repeated hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from meridian.content import ContentInvalid
from meridian.content.schedule import local_instant, local_parts

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "clock", "zone", "expected"),
    [
        (date(2026, 7, 1), time(9, 0), "Europe/London", datetime(2026, 7, 1, 8, 0, tzinfo=UTC)),
        (
            date(2026, 7, 1),
            time(9, 0),
            "Pacific/Auckland",
            datetime(2026, 6, 30, 21, 0, tzinfo=UTC),
        ),
        (
            date(2026, 1, 20),
            time(9, 0),
            "Pacific/Auckland",
            datetime(2026, 1, 19, 20, 0, tzinfo=UTC),
        ),
    ],
)
def test_local_times_become_the_right_instant(day, clock, zone, expected):
    assert local_instant(day, clock, zone, NOW) == (expected, "")


@pytest.mark.parametrize(
    ("day", "clock", "zone", "suggested"),
    [
        (date(2026, 3, 29), time(1, 30), "Europe/London", "02:00"),  # London springs forward
        (date(2026, 9, 27), time(2, 15), "Pacific/Auckland", "03:00"),  # Wellington too, in Sept
    ],
)
def test_a_time_the_clocks_skip_is_refused_with_the_next_real_time(day, clock, zone, suggested):
    with pytest.raises(ContentInvalid) as refused:
        local_instant(day, clock, zone, NOW)
    message = refused.value.errors["publish_at"]
    assert "does not exist" in message and f"Choose {suggested} or later" in message


def test_a_repeated_hour_means_the_first_and_says_so():
    instant, note = local_instant(date(2026, 10, 25), time(1, 30), "Europe/London", NOW)
    assert instant == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST
    assert "happens twice" in note


@pytest.mark.parametrize("clock", [time(11, 59), time(12, 0)])
def test_a_time_that_has_passed_is_refused(clock):
    with pytest.raises(ContentInvalid) as refused:
        local_instant(date(2026, 1, 10), clock, "Europe/London", NOW)
    assert "has passed" in refused.value.errors["publish_at"]
    assert "12:00 on 10 January 2026" in refused.value.errors["publish_at"]


def test_form_parts_round_trip():
    instant, _ = local_instant(date(2026, 4, 2), time(7, 45), "Pacific/Auckland", NOW)
    assert local_parts(instant, "Pacific/Auckland") == (date(2026, 4, 2), time(7, 45))
