"""The `[[practitioners]]` of a bundle: who works where, when, and offers what.

```toml
[[practitioners]]
slug = "aroha-ngata"
name = "Aroha Ngata"
title = "Acupuncturist, registered with ACC"
bio = "..."
photo = "images/aroha-ngata.jpg"    # a file in the bundle's static/ folder
photo_alt = "Aroha smiling in the treatment room"   # a JPEG/PNG/WebP photograph goes
                                    # into the media library (responsive copies); an
                                    # SVG is served as it is
languages = ["English", "te reo Māori"]
services = ["free-consultation", "initial-treatment"]   # default: every service

[practitioners.hours.wellington-central]                # keyed by location slug
mon = ["09:00-13:00", "14:00-17:30"]

[[practitioners.time_off]]
from = 2026-12-24                   # local dates (inclusive) or local date-times
until = 2027-01-05
```

A bundle that lists practitioners owns the team: one it no longer lists is retired
(kept with their bookings, no longer bookable or shown), never deleted. A bundle
without the key leaves the team alone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..content import team
from ..content.team import TeamHours
from ..extensions import db
from ..models import Location, Practitioner, Service, Tenant, TimeOff
from .fields import SOURCE, BundleError, checked_slug, rules, weekly_hours

#: Photographs (into the media library); anything else (an SVG) is served as a file.
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif")


class TeamLoader:
    """Writes the team through the content write path (`content.team`), like the
    studio: the same checks, the same audit trail (source "bundle")."""

    def __init__(self, tenant: Tenant, note, image) -> None:
        self.tenant = tenant
        self.note = note  # note(created: bool, label: str)
        self.image = image  # image(tenant, name, alt, where) -> media item id

    def load(self, specs: list[dict[str, Any]] | None) -> None:
        if specs is None:
            return
        tenant = self.tenant
        locations = {loc.slug: loc for loc in tenant.locations}
        services = {
            s.slug: s
            for s in db.session.scalars(select(Service).where(Service.tenant_id == tenant.id))
        }
        existing = {
            p.slug: p
            for p in db.session.scalars(
                select(Practitioner).where(Practitioner.tenant_id == tenant.id)
            )
        }
        listed: set[str] = set()
        for position, spec in enumerate(specs):
            where = f"practitioners[{position}]"
            slug = checked_slug(spec.get("slug"), where)
            if not spec.get("name"):
                raise BundleError(f"{where}: name is required")
            listed.add(slug)
            languages = spec.get("languages", [])
            if not isinstance(languages, list):
                raise BundleError(f"{where}: languages must be a list")
            values = {
                "name": str(spec["name"]),
                "title": str(spec.get("title", "")),
                "bio": str(spec.get("bio", "")).strip(),
                "photo": spec.get("photo"),
                "photo_media_id": self._photo(spec, where),
                "languages": [str(lang) for lang in languages],
                "position": position,
                "active": True,
            }
            wanted_services = self._services(spec.get("services"), services, where)
            wanted_hours = self._hours(spec.get("hours", {}), locations, where)
            created = slug not in existing
            with rules(where):
                person, changes = team.save_practitioner(
                    tenant, existing.get(slug), slug, values, source=SOURCE
                )
                changed = bool(changes)
                changed |= team.set_services(tenant, person, wanted_services, source=SOURCE)
                changed |= team.set_hours(tenant, person, wanted_hours, source=SOURCE)
                changed |= self._time_off(person, spec.get("time_off", []), locations, where)
            if changed or created:
                self.note(created, f"practitioner {slug}")
        for slug, person in existing.items():
            if slug not in listed and person.active:
                team.save_practitioner(
                    tenant, person, slug, {"name": person.name, "active": False}, source=SOURCE
                )
                self.note(False, f"practitioner {slug} retired")

    def _photo(self, spec: dict[str, Any], where: str) -> int | None:
        photo = spec.get("photo")
        if not photo or not str(photo).lower().endswith(PHOTO_SUFFIXES):
            return None
        alt = spec.get("photo_alt") or f"Portrait of {spec['name']}"
        return self.image(self.tenant, photo, alt, f"{where}.photo")

    @staticmethod
    def _services(wanted_slugs, services: dict[str, Service], where: str) -> set[int]:
        if wanted_slugs is None:
            return {s.id for s in services.values()}
        unknown = [slug for slug in wanted_slugs if slug not in services]
        if unknown:
            raise BundleError(f"{where}.services: unknown service {unknown[0]!r}")
        return {services[slug].id for slug in wanted_slugs}

    @staticmethod
    def _hours(spec: dict[str, Any], locations: dict[str, Location], where: str) -> TeamHours:
        wanted: TeamHours = set()
        for location_slug, week in spec.items():
            location = locations.get(location_slug)
            if location is None:
                raise BundleError(f"{where}.hours: unknown location {location_slug!r}")
            for weekday, opens, closes in weekly_hours(week, f"{where}.hours.{location_slug}"):
                wanted.add((location.id, weekday, opens, closes))
        return wanted

    def _time_off(self, person, specs, locations: dict[str, Location], where) -> bool:
        """Time off as UTC ranges; dates are whole local days where they first work.
        Exactly the listed ranges stay (one whose note changed is replaced)."""
        first = min(person.location_ids, default=None)
        zone_name = next(
            (loc.timezone for loc in locations.values() if loc.id == first),
            self.tenant.primary_location.timezone,
        )
        zone = ZoneInfo(zone_name)
        wanted: dict[tuple[datetime, datetime, str], None] = {}
        for index, spec in enumerate(specs):
            here = f"{where}.time_off[{index}]"
            starts = _instant(spec.get("from"), zone, here, end=False)
            ends = _instant(spec.get("until", spec.get("from")), zone, here, end=True)
            if not starts < ends:
                raise BundleError(f"{here}: 'until' must be after 'from'")
            wanted[(starts, ends, str(spec.get("note", "")))] = None
        current = {
            (t.starts_at, t.ends_at, t.note): t
            for t in db.session.scalars(
                select(TimeOff).where(
                    TimeOff.tenant_id == self.tenant.id, TimeOff.practitioner_id == person.id
                )
            )
        }
        for key, row in current.items():
            if key not in wanted:
                team.remove_time_off(self.tenant, person, row, source=SOURCE)
        for starts, ends, note in wanted:
            if (starts, ends, note) not in current:
                team.add_time_off(self.tenant, person, starts, ends, note, source=SOURCE)
        return set(current) != set(wanted)


def _instant(value: Any, zone: ZoneInfo, where: str, end: bool) -> datetime:
    """A local date (the start of that day, or for `end` the start of the next) or a
    local date-time, as an aware UTC instant."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError as exc:
            raise BundleError(f"{where}: {value!r} is not an ISO date") from exc
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=zone)
    elif isinstance(value, date):
        day = value + timedelta(days=1) if end else value
        moment = datetime.combine(day, time(0), zone)
    else:
        raise BundleError(f"{where}: 'from' (a date) is required")
    return moment.astimezone(UTC)
