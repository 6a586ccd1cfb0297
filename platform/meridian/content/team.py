"""Saving the team: practitioners, the services they offer, their weekly hours at each
location, and their time off.

The same rules hold for every writer (the studio today; the bundle loader and the
onboarding wizard can call these too). Each function flushes, announces the change to
the audit hook and leaves the commit to the caller. Free times are computed from the
database on every booking page, so a saved change is bookable (or not) at once.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    Booking,
    Practitioner,
    PractitionerHours,
    PractitionerService,
    Tenant,
    TimeOff,
    utcnow,
)
from .audit import Change, record
from .clinic import check_hours
from .errors import ContentInvalid
from .fields import TAG_SLUG, check_line, check_text, save_row

#: (location id, weekday, opens, closes) in the location's local time.
TeamHours = set[tuple[int, int, time, time]]
LIMITS = {"name": 120, "title": 200, "bio": 5_000, "language": 40, "languages": 12}


def check_practitioner(
    tenant: Tenant, person: Practitioner | None, slug: str, values: dict[str, Any]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not TAG_SLUG.match(slug or ""):
        errors["slug"] = "Use lower-case letters, digits and dashes."
    else:
        clash = db.session.scalar(
            select(Practitioner.id).where(
                Practitioner.tenant_id == tenant.id,
                Practitioner.slug == slug,
                Practitioner.id != (person.id if person is not None else -1),
            )
        )
        if clash is not None:
            errors["slug"] = f"Another practitioner already uses “{slug}”; choose another."
    if not values.get("name"):
        errors["name"] = "Give the practitioner's name."
    check_line(errors, "name", values.get("name", ""), "The name", LIMITS["name"])
    check_line(errors, "title", values.get("title", ""), "The title", LIMITS["title"])
    check_text(errors, "bio", values.get("bio", ""), "The short bio", LIMITS["bio"])
    languages = values.get("languages", [])
    if len(languages) > LIMITS["languages"]:
        errors["languages"] = f"List at most {LIMITS['languages']} languages."
    for language in languages:
        check_line(errors, "languages", language, "Each language", LIMITS["language"])
    return errors


def save_practitioner(
    tenant: Tenant,
    person: Practitioner | None,
    slug: str,
    values: dict[str, Any],
    *,
    actor: str = "",
    source: str = "studio",
) -> tuple[Practitioner, dict]:
    """Create or update one practitioner's details (`name`, `title`, `bio`, `photo`,
    `languages`, `active`, `position`)."""
    errors = check_practitioner(tenant, person, slug, values)
    if errors:
        raise ContentInvalid(errors)

    def make() -> Practitioner:
        last = db.session.scalar(
            select(func.coalesce(func.max(Practitioner.position), -1)).where(
                Practitioner.tenant_id == tenant.id
            )
        )
        return Practitioner(tenant_id=tenant.id, slug=slug, position=last + 1)

    return save_row(
        tenant,
        person,
        make,
        slug,
        values,
        kind="practitioner",
        actor=actor,
        source=source,
        action=_update_action,
    )


def _update_action(person: Practitioner, changes: dict) -> str:
    if "active" in changes:
        return "practitioner.retire" if not person.active else "practitioner.return"
    return "practitioner.update"


def set_services(
    tenant: Tenant,
    person: Practitioner,
    wanted: set[int],
    *,
    actor: str = "",
    source: str = "studio",
) -> bool:
    """The services this practitioner offers: exactly `wanted` (ids of the clinic's)."""
    current = {link.service_id: link for link in person.services}
    if set(current) == wanted:
        return False
    for service_id, link in current.items():
        if service_id not in wanted:
            person.services.remove(link)
    for service_id in sorted(wanted - set(current)):
        person.services.append(PractitionerService(tenant_id=tenant.id, service_id=service_id))
    db.session.flush()
    details = {"services": [sorted(current), sorted(wanted)]}
    _record(tenant, person, "practitioner.services", details, actor, source)
    return True


def set_hours(
    tenant: Tenant,
    person: Practitioner,
    wanted: TeamHours,
    *,
    actor: str = "",
    source: str = "studio",
) -> bool:
    """Weekly hours at every location: exactly `wanted`. Ranges of one day at one
    location may not overlap; two locations' hours may (the booking guard keeps one
    person in one place at a time)."""
    errors = check_team_hours(wanted)
    if errors:
        raise ContentInvalid(errors)
    current = {(h.location_id, h.weekday, h.opens, h.closes): h for h in person.hours}
    if set(current) == wanted:
        return False
    for key, row in current.items():
        if key not in wanted:
            person.hours.remove(row)
    for location_id, weekday, opens, closes in sorted(wanted - set(current)):
        person.hours.append(
            PractitionerHours(
                tenant_id=tenant.id,
                location_id=location_id,
                weekday=weekday,
                opens=opens,
                closes=closes,
            )
        )
    db.session.flush()
    details = {"hours": [_hours_text(set(current)), _hours_text(wanted)]}
    _record(tenant, person, "practitioner.hours", details, actor, source)
    return True


def check_team_hours(wanted: TeamHours) -> dict[str, str]:
    """`{"hours_<location id>": message}` for each location whose week is refused."""
    errors = {}
    for location_id in sorted({key[0] for key in wanted}):
        refused = check_hours({key[1:] for key in wanted if key[0] == location_id})
        if refused:
            errors[f"hours_{location_id}"] = refused["hours"]
    return errors


def add_time_off(
    tenant: Tenant,
    person: Practitioner,
    starts_at: datetime,
    ends_at: datetime,
    note: str = "",
    *,
    actor: str = "",
    source: str = "studio",
) -> TimeOff:
    """Away for [starts_at, ends_at) at every location. Bookings already made in that
    time stay (the studio says how many, so the clinic can move them)."""
    errors: dict[str, str] = {}
    if not starts_at < ends_at:
        errors["last"] = "The time off must end after it starts."
    check_line(errors, "note", note, "The note", 200)
    if errors:
        raise ContentInvalid(errors)
    row = TimeOff(
        tenant_id=tenant.id,
        practitioner_id=person.id,
        starts_at=starts_at,
        ends_at=ends_at,
        note=note,
    )
    db.session.add(row)
    db.session.flush()
    details = {"time_off": [None, f"{starts_at.isoformat()} – {ends_at.isoformat()}"]}
    _record(tenant, person, "practitioner.time_off.add", details, actor, source)
    return row


def remove_time_off(
    tenant: Tenant, person: Practitioner, row: TimeOff, *, actor: str = "", source: str = "studio"
) -> None:
    details = {"time_off": [f"{row.starts_at.isoformat()} – {row.ends_at.isoformat()}", None]}
    db.session.delete(row)
    db.session.flush()
    _record(tenant, person, "practitioner.time_off.remove", details, actor, source)


def bookings_during(
    tenant: Tenant, person: Practitioner, starts_at: datetime | None = None, ends_at=None
) -> int:
    """Confirmed bookings with this practitioner from `starts_at` (default: now) until
    `ends_at` (default: ever): what retiring them or a time off leaves to be moved."""
    stmt = select(func.count(Booking.id)).where(
        Booking.tenant_id == tenant.id,
        Booking.practitioner_id == person.id,
        Booking.status == "confirmed",
        Booking.blocked_until > (starts_at or utcnow()),
    )
    if ends_at is not None:
        stmt = stmt.where(Booking.starts_at < ends_at)
    return db.session.scalar(stmt) or 0


def _hours_text(hours: TeamHours) -> list[str]:
    return [f"{loc}:{d} {o:%H:%M}-{c:%H:%M}" for loc, d, o, c in sorted(hours)]


def _record(tenant, person, action: str, details: dict, actor: str, source: str) -> None:
    target, label = f"practitioner:{person.id}", f"practitioner {person.slug}"
    record(tenant, Change(tenant.id, action, target, label, source, actor, details))
