"""Rules for a location's contact details, zone, holiday region, hours and closures.

The studio's forms and any other writer read typed text through these helpers:
a phone number checked for the location's country (phonenumbers), an e-mail address,
an IANA time zone of that country, a public-holiday region the `holidays` package
knows, weekly hours typed as `09:00-12:30, 13:30-18:00`, and closures as a day or a
range of days. Each returns the clean value or raises ValueError with a sentence.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from functools import cache
from importlib import resources

import phonenumbers
from babel import Locale
from email_validator import EmailNotValidError, validate_email

MAX_CLOSURE_DAYS = 366
_RANGE = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*[-–—]\s*(\d{1,2})(?:[:.](\d{2}))?\s*$")


def country_name(code: str, locale: str = "en_GB") -> str:
    return Locale.parse(locale).territories.get(code.upper(), code.upper())


def clean_phone(raw: str, country: str) -> str:
    """`07967 525168` in GB -> `+44 7967 525168`; empty stays empty."""
    value = (raw or "").strip()
    if not value:
        return ""
    example = phonenumbers.example_number(country.upper())
    hint = (
        f" For example {phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)}"
        f" or {phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)}."
        if example
        else ""
    )
    try:
        number = phonenumbers.parse(value, country.upper())
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"That is not a phone number.{hint}") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"That is not a valid phone number in {country_name(country)}.{hint}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def clean_email(raw: str) -> str:
    value = (raw or "").strip()
    if not value:
        return ""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"That is not an e-mail address ({exc}).") from exc


@cache
def _zone_table() -> dict[str, tuple[str, ...]]:
    """Country code -> its IANA zones, from tzdata's zone1970.tab."""
    text = resources.files("tzdata").joinpath("zoneinfo", "zone1970.tab").read_text()
    zones: dict[str, list[str]] = {}
    for row in text.splitlines():
        if row.startswith("#") or not row.strip():
            continue
        codes, _, name = row.split("\t")[:3]
        for code in codes.split(","):
            zones.setdefault(code, []).append(name)
    return {code: tuple(sorted(names)) for code, names in zones.items()}


def zones_for(country: str) -> tuple[str, ...]:
    return _zone_table().get(country.upper(), ())


def clean_zone(raw: str, country: str) -> str:
    value = (raw or "").strip()
    choices = zones_for(country)
    if value not in choices:
        listed = ", ".join(choices[:6]) or "none known"
        raise ValueError(f"Choose the time zone of {country_name(country)} ({listed}).")
    return value


@cache
def subdivisions_for(country: str) -> tuple[tuple[str, str], ...]:
    """(code, name) of each public-holiday region of a country (may be empty)."""
    import holidays

    try:
        cls = holidays.country_holidays(country.upper()).__class__
    except NotImplementedError:
        return ()
    names = getattr(cls, "subdivisions_aliases", {}) or {}
    by_code: dict[str, str] = {}
    for name, code in names.items():
        by_code.setdefault(code, name)  # the first alias is the English name
    deprecated = set(getattr(cls, "_deprecated_subdivisions", ()) or ())
    return tuple(
        (code, by_code.get(code, code)) for code in cls.subdivisions if code not in deprecated
    )


def clean_subdivision(raw: str, country: str) -> str:
    value = (raw or "").strip()
    if value and value not in {code for code, _ in subdivisions_for(country)}:
        raise ValueError(f"Choose a public-holiday region of {country_name(country)}.")
    return value


def _clock(hours: str, minutes: str | None, *, end: bool) -> time:
    h, m = int(hours), int(minutes or 0)
    if end and h == 24 and m == 0:
        return time(23, 59)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise ValueError
    return time(h, m)


def parse_day_hours(text: str) -> list[tuple[time, time]]:
    """`09:00-12:30, 13:30-18:00` -> ranges; empty or `closed` -> []. ValueError if
    a range does not read, ends before it starts or overlaps another."""
    value = (text or "").strip()
    if not value or value.lower() == "closed":
        return []
    ranges = []
    for part in re.split(r"[,;]|\band\b", value):
        if not part.strip():
            continue
        match = _RANGE.match(part)
        if match is None:
            raise ValueError(f"“{part.strip()}” does not read as a time range like 09:00-17:00.")
        try:
            opens = _clock(match[1], match[2], end=False)
            closes = _clock(match[3], match[4], end=True)
        except ValueError as exc:
            raise ValueError(f"“{part.strip()}” has a time that does not exist.") from exc
        if opens >= closes:
            raise ValueError(f"{opens:%H:%M}–{closes:%H:%M} closes before it opens.")
        ranges.append((opens, closes))
    ranges.sort()
    for (_, end), (start, _) in zip(ranges, ranges[1:], strict=False):
        if start < end:
            raise ValueError(f"Two ranges overlap at {start:%H:%M}.")
    return ranges


def format_day_hours(ranges: list[tuple[time, time]]) -> str:
    return ", ".join(f"{o:%H:%M}-{c:%H:%M}" for o, c in ranges)


def closure_days(first: date, last: date | None) -> list[date]:
    """Every day from `first` to `last` (inclusive); ValueError for a backwards or
    overlong range."""
    last = last or first
    if last < first:
        raise ValueError("The last day comes before the first.")
    count = (last - first).days + 1
    if count > MAX_CLOSURE_DAYS:
        raise ValueError(f"A closure can cover at most {MAX_CLOSURE_DAYS} days.")
    return [first + timedelta(days=i) for i in range(count)]


def group_closures(rows) -> list[dict]:
    """Closure rows (day, reason, is_open) as runs of consecutive days with one reason."""
    runs: list[dict] = []
    for row in sorted(rows, key=lambda r: r.day):
        last = runs[-1] if runs else None
        if (
            last
            and last["last"] + timedelta(days=1) == row.day
            and last["reason"] == row.reason
            and last["is_open"] == row.is_open
        ):
            last["last"] = row.day
        else:
            runs.append(
                {"first": row.day, "last": row.day, "reason": row.reason, "is_open": row.is_open}
            )
    return runs
