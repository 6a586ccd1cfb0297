"""Jinja filters that speak the tenant's locale and the location's time zone."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time, get_timezone_location
from babel.numbers import format_currency
from flask import Flask, g

DEFAULT_ZONE = "UTC"


def _locale() -> str:
    tenant = g.get("tenant")
    return tenant.locale if tenant is not None else "en_GB"


def _zone() -> ZoneInfo:
    tenant = g.get("tenant")
    location = tenant.primary_location if tenant is not None else None
    return ZoneInfo(location.timezone if location else DEFAULT_ZONE)


def local_date(value: datetime, fmt: str = "long", zone: str | None = None) -> str:
    """A UTC instant as a calendar date where the clinic is (or in `zone`)."""
    tz = ZoneInfo(zone) if zone else _zone()
    return format_date(value.astimezone(tz), format=fmt, locale=_locale())


def local_datetime(value: datetime, fmt: str = "medium", zone: str | None = None) -> str:
    tz = ZoneInfo(zone) if zone else _zone()
    return format_datetime(value, format=fmt, tzinfo=tz, locale=_locale())


def clock(value: time) -> str:
    """Opening times as people read them locally: `9:00 am` (NZ), `09:00` (UK)."""
    return format_time(value, format="short", locale=_locale())


def local_clock(value: datetime, zone: str) -> str:
    """A UTC instant as the clinic's clock reads it, in the clinic's locale's format."""
    return format_time(value.astimezone(ZoneInfo(zone)), format="short", locale=_locale())


def place_time(location, locale: str | None = None) -> str:
    """`Wellington time`, `London time`: the location's city names its clock, which
    people recognise where a zone name (Pacific/Auckland, NZDT) puzzles them."""
    if location.city:
        return f"{location.city} time"
    city = get_timezone_location(location.timezone, locale=locale or _locale(), return_city=True)
    return f"{city} time"


def day_label(value: date, fmt: str = "full") -> str:
    """A calendar day in the clinic's locale: `Monday, 1 December 2026` (`full`), or a
    CLDR pattern such as `EEE` (`Mon`) or `d MMMM` (`1 December`)."""
    return format_date(value, format=fmt, locale=_locale())


def money(minor: int, currency: str) -> str:
    if minor == 0:
        return "Free"
    return format_currency(Decimal(minor) / 100, currency, locale=_locale())


def iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def init_app(app: Flask) -> None:
    app.add_template_filter(local_date)
    app.add_template_filter(local_datetime)
    app.add_template_filter(clock)
    app.add_template_filter(local_clock)
    app.add_template_filter(place_time)
    app.add_template_filter(day_label)
    app.add_template_filter(money)
    app.add_template_filter(iso)
