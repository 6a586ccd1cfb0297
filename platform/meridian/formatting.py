"""Jinja filters that speak the tenant's locale and the location's time zone."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
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
    app.add_template_filter(money)
    app.add_template_filter(iso)
