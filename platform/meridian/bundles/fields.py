"""Parsing and checking bundle values; every error names the file and the field."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from ..content import ContentInvalid
from ..content.fields import slug_pattern
from ..models import WEEKDAYS

#: How the content write path (and its audit trail) names changes made by a bundle.
SOURCE = "bundle"
RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class BundleError(ValueError):
    """The bundle is malformed; the message names the file and the field."""


@contextmanager
def rules(where: str) -> Iterator[None]:
    """A refusal of the write path, as a bundle error naming the file and the field."""
    try:
        yield
    except ContentInvalid as exc:
        field, message = next(iter(exc.errors.items()))
        raise BundleError(f"{where}: {field}: {message}") from exc


@dataclass
class LoadReport:
    tenant: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    # label -> the fields that changed, for updates that know them
    details: dict[str, list[str]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def lines(self) -> list[str]:
        """`+ post x` for each creation, `~ post y: title, body_md` for each update."""
        out = [f"  + {label}" for label in self.created]
        for label in self.updated:
            fields = self.details.get(label)
            out.append(f"  ~ {label}: {', '.join(fields)}" if fields else f"  ~ {label}")
        return out


class StudioEdits(BundleError):
    """The clinic was edited in the studio since its bundle was last loaded, and this load
    would change it: refused unless the caller says --replace."""

    def __init__(self, report: LoadReport, edited_at: datetime) -> None:
        self.report = report
        self.edited_at = edited_at
        super().__init__(
            f"{report.tenant} was edited in the studio on {edited_at:%Y-%m-%d %H:%M} UTC; "
            "loading this bundle would change what is shown above. Nothing was written. "
            "Run again with --replace to overwrite (post revisions keep the studio's words)."
        )


def checked_slug(value: Any, where: str, limit: int = 63) -> str:
    if not isinstance(value, str) or not slug_pattern(limit).match(value):
        raise BundleError(f"{where}: slug {value!r} must be lower-case letters, digits and dashes")
    return value


def minor_units(price: Any, where: str) -> int:
    try:
        amount = Decimal(str(price))
    except InvalidOperation as exc:
        raise BundleError(f"{where}: price {price!r} is not a number") from exc
    if amount < 0:
        raise BundleError(f"{where}: price must not be negative")
    return int((amount * 100).to_integral_value())


def weekly_hours(spec: dict[str, list[str]], where: str) -> set[tuple[int, time, time]]:
    result: set[tuple[int, time, time]] = set()
    for key, ranges in spec.items():
        if key not in WEEKDAYS:
            raise BundleError(f"{where}: unknown weekday {key!r} (use {', '.join(WEEKDAYS)})")
        for text in ranges:
            match = RANGE.match(text)
            if not match:
                raise BundleError(f"{where}.{key}: {text!r} is not HH:MM-HH:MM")
            h1, m1, h2, m2 = (int(part) for part in match.groups())
            try:
                opens, closes = time(h1, m1), time(h2, m2)
            except ValueError as exc:
                raise BundleError(f"{where}.{key}: {text!r}: {exc}") from exc
            if opens >= closes:
                raise BundleError(f"{where}.{key}: {text!r} closes before it opens")
            result.add((WEEKDAYS.index(key), opens, closes))
    return result


def instant(value: Any, zone: str, where: str) -> datetime:
    """Front-matter dates: aware datetimes as given; naive ones and bare dates are local."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime.combine(value, time(9, 0))
    elif isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value)
        except ValueError as exc:
            raise BundleError(f"{where}: published {value!r} is not an ISO date") from exc
    else:
        raise BundleError(f"{where}: published is required (or draft: true)")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=ZoneInfo(zone))
    return dt.astimezone(UTC)
