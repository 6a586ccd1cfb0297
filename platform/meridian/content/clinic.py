"""Saving where and what a clinic offers: locations, weekly hours, closures, services.

Values arrive typed (the bundle parses its TOML, the studio its forms); the rules that
hold whoever writes live here. Each function flushes, announces what changed and
leaves the commit to the caller.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from ..extensions import db
from ..models import Closure, Location, OpeningHours, Service, Tenant
from .audit import Change, record
from .errors import ContentInvalid
from .fields import TAG_SLUG, apply, save_row

Hours = set[tuple[int, time, time]]


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        return False
    return True


def save_location(
    tenant: Tenant,
    location: Location | None,
    slug: str,
    values: dict[str, Any],
    *,
    actor: str = "",
    source: str = "studio",
) -> tuple[Location, dict]:
    errors: dict[str, str] = {}
    if not TAG_SLUG.match(slug or ""):
        errors["slug"] = "Use lower-case letters, digits and dashes."
    if not valid_zone(values.get("timezone") or ""):
        errors["timezone"] = "Choose a time zone such as Europe/London or Pacific/Auckland."
    if not values.get("name"):
        errors["name"] = "Give the location a name."
    if errors:
        raise ContentInvalid(errors)
    return save_row(
        tenant,
        location,
        lambda: Location(tenant=tenant, slug=slug),
        slug,
        values,
        kind="location",
        actor=actor,
        source=source,
    )


def check_hours(wanted: Hours) -> dict[str, str]:
    """Each range opens before it closes; no two ranges of one day overlap."""
    by_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, opens, closes in wanted:
        if not 0 <= weekday <= 6:
            return {"hours": f"Unknown weekday {weekday}."}
        if opens >= closes:
            return {"hours": f"{opens:%H:%M}–{closes:%H:%M} closes before it opens."}
        by_day.setdefault(weekday, []).append((opens, closes))
    for ranges in by_day.values():
        ranges.sort()
        for (_, end), (start, _) in zip(ranges, ranges[1:], strict=False):
            if start < end:
                return {"hours": f"Two opening times overlap at {start:%H:%M}."}
    return {}


def set_hours(
    tenant: Tenant, location: Location, wanted: Hours, *, actor: str = "", source: str = "studio"
) -> bool:
    """Make the location's weekly hours exactly `wanted`; True if they changed."""
    errors = check_hours(wanted)
    if errors:
        raise ContentInvalid(errors)
    current = {(h.weekday, h.opens, h.closes): h for h in location.hours}
    if set(current) == wanted:
        return False
    for key, row in current.items():
        if key not in wanted:
            location.hours.remove(row)
    for weekday, opens, closes in sorted(wanted - set(current)):
        location.hours.append(
            OpeningHours(tenant_id=tenant.id, weekday=weekday, opens=opens, closes=closes)
        )
    db.session.flush()
    details = {"hours": [_hours_text(set(current)), _hours_text(wanted)]}
    change = Change(
        tenant.id,
        "hours.update",
        f"location:{location.id}",
        f"hours {location.slug}",
        source,
        actor,
        details,
    )
    record(tenant, change)
    return True


def _hours_text(hours: Hours) -> list[str]:
    return [f"{d} {o:%H:%M}-{c:%H:%M}" for d, o, c in sorted(hours)]


def set_closures(
    tenant: Tenant,
    location: Location,
    wanted: dict[date, tuple[str, bool]],
    *,
    actor: str = "",
    source: str = "studio",
) -> bool:
    """Closed days (`reason`) and holidays opened anyway (`is_open`): exactly `wanted`."""
    current = {
        c.day: c
        for c in db.session.scalars(
            select(Closure).where(
                Closure.tenant_id == tenant.id, Closure.location_id == location.id
            )
        )
    }
    changed = False
    for day, row in current.items():
        if day not in wanted:
            db.session.delete(row)
            changed = True
    for day, (reason, is_open) in wanted.items():
        row = current.get(day)
        if row is None:
            db.session.add(
                Closure(
                    tenant_id=tenant.id,
                    location_id=location.id,
                    day=day,
                    reason=reason,
                    is_open=is_open,
                )
            )
            changed = True
        elif apply(row, {"reason": reason, "is_open": is_open}):
            changed = True
    db.session.flush()
    if changed:
        details = {"closures": [sorted(str(d) for d in current), sorted(str(d) for d in wanted)]}
        change = Change(
            tenant.id,
            "closures.update",
            f"location:{location.id}",
            f"closures {location.slug}",
            source,
            actor,
            details,
        )
        record(tenant, change)
    return changed


def check_service(slug: str, values: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not TAG_SLUG.match(slug or ""):
        errors["slug"] = "Use lower-case letters, digits and dashes."
    if not values.get("name"):
        errors["name"] = "Give the service a name."
    duration = values.get("duration_minutes")
    if not isinstance(duration, int) or isinstance(duration, bool) or duration <= 0:
        errors["duration_minutes"] = "The duration must be a positive whole number of minutes."
    for key, label in (
        ("price_minor", "The price"),
        ("buffer_minutes", "The buffer"),
        ("min_notice_minutes", "The minimum notice"),
    ):
        value = values.get(key, 0)
        if not isinstance(value, int) or value < 0:
            errors[key] = f"{label} must not be negative."
    horizon = values.get("horizon_days", 60)
    if not isinstance(horizon, int) or horizon < 1:
        errors["horizon_days"] = "Offer times at least one day ahead."
    return errors


def save_service(
    tenant: Tenant,
    service: Service | None,
    slug: str,
    values: dict[str, Any],
    *,
    actor: str = "",
    source: str = "studio",
) -> tuple[Service, dict]:
    errors = check_service(slug, values)
    if errors:
        raise ContentInvalid(errors)
    return save_row(
        tenant,
        service,
        lambda: Service(tenant_id=tenant.id, slug=slug),
        slug,
        values,
        kind="service",
        actor=actor,
        source=source,
    )
