"""CSV for people's spreadsheets: the one writer behind every export Meridian offers
(the desk's bookings, subscribers, a client's data, a data request's answer, a clinic's
whole export), and the columns of the tables more than one of them share.

A cell that starts with =, +, -, @ or a control character is written with a leading
apostrophe, so a spreadsheet shows what someone typed as their name or address instead
of running it as a formula (CSV injection). Times are ISO 8601; `_utc` columns are UTC,
`_local` ones the location's own time. The reason for visit is in none of these tables.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .models import Booking, Subscriber

BOOKING_COLUMNS = (
    "reference",
    "starts_local",
    "ends_local",
    "timezone",
    "location",
    "practitioner",
    "service",
    "status",
    "attendance",
    "client_name",
    "client_email",
    "client_phone",
    "booked_at_utc",
    "cancelled_at_utc",
)
SUBSCRIBER_COLUMNS = ("email", "status", "subscribed_at", "confirmed_at", "unsubscribed_at")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def text(value: object) -> str:
    """A value as a cell's text: times in ISO 8601 (to the second), None as empty."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def cell(value: object) -> str:
    """`text(value)`, never read as a formula."""
    written = text(value)
    return "'" + written if written[:1] in _FORMULA else written


def table(columns: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """A CSV document: the header, then each row's cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(list(columns))
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return buffer.getvalue()


def records(rows: Iterable[Mapping[str, object]], columns: Iterable[str]) -> str:
    """A CSV document from dicts, in `columns` order (missing keys empty)."""
    columns = list(columns)
    return table(columns, ([row.get(name, "") for name in columns] for row in rows))


def booking_row(b: Booking) -> tuple:
    """One booking in BOOKING_COLUMNS."""
    zone = ZoneInfo(b.location.timezone)
    return (
        b.reference,
        b.starts_at.astimezone(zone).isoformat(timespec="minutes"),
        b.ends_at.astimezone(zone).isoformat(timespec="minutes"),
        b.location.timezone,
        b.location.name,
        b.practitioner.name,
        b.service.name,
        b.status,
        b.attendance or "",
        b.client_name,
        b.client_email,
        b.client_phone,
        b.created_at,
        b.cancelled_at,
    )


def subscriber_row(s: Subscriber) -> tuple:
    return (s.email, s.status, s.created_at, s.confirmed_at, s.unsubscribed_at)
