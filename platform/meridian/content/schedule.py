"""When a post goes live, typed as a date and a time where the clinic is.

A time typed in the clinic's zone is refused when it has passed, or when it does not
exist there (the hour the clocks skip in spring); a time that happens twice (the hour
repeated in autumn) means the first of the two, and says so.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .errors import ContentInvalid


def local_instant(day: date, clock: time, zone: str, now: datetime) -> tuple[datetime, str]:
    """The UTC instant of `day` `clock` in `zone`, and a note for the writer ('' or why
    the time is ambiguous). Raises ContentInvalid on `publish_at` otherwise."""
    tz = ZoneInfo(zone)
    wall = datetime.combine(day, clock.replace(second=0, microsecond=0))
    first = wall.replace(tzinfo=tz, fold=0)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall:
        later = _after_gap(wall, tz)
        raise ContentInvalid(
            {
                "publish_at": (
                    f"{clock:%H:%M} on {day:%-d %B %Y} does not exist in {zone}: the clocks "
                    f"go forward that night. Choose {later:%H:%M} or later."
                )
            }
        )
    second = wall.replace(tzinfo=tz, fold=1)
    note = ""
    if first.utcoffset() != second.utcoffset():
        note = (
            f"{clock:%H:%M} happens twice on {day:%-d %B %Y} in {zone} (the clocks go back); "
            f"the post is scheduled for the first, {first:%H:%M %Z}."
        )
    instant = first.astimezone(UTC)
    if instant <= now:
        local_now = now.astimezone(tz)
        raise ContentInvalid(
            {
                "publish_at": (
                    f"That time has passed (it is now {local_now:%H:%M} on "
                    f"{local_now:%-d %B %Y} in {zone}). Choose a later time, or publish now."
                )
            }
        )
    return instant, note


def _after_gap(wall: datetime, tz: ZoneInfo) -> datetime:
    """The first wall-clock minute after a skipped hour."""
    probe = wall
    for _ in range(24 * 60):
        probe += timedelta(minutes=1)
        aware = probe.replace(tzinfo=tz)
        if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == probe:
            return probe
    return probe


def local_parts(instant: datetime, zone: str) -> tuple[date, time]:
    """For a form: the date and time (to the minute) of `instant` in `zone`."""
    local = instant.astimezone(ZoneInfo(zone))
    return local.date(), local.time().replace(second=0, microsecond=0, tzinfo=None)
