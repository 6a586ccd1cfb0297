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
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..extensions import db
from ..models import (
    Location,
    Practitioner,
    PractitionerHours,
    PractitionerService,
    Service,
    Tenant,
    TimeOff,
)
from .fields import BundleError, assign, checked_slug, get_or_add, weekly_hours
from .images import bundle_image

#: Photographs (into the media library); anything else (an SVG) is served as a file.
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif")


class TeamLoader:
    def __init__(self, tenant: Tenant, note, bundle: Path) -> None:
        self.tenant = tenant
        self.note = note  # note(created: bool, label: str)
        self.bundle = bundle

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
            photo_id = self._photo(spec, where)  # before the new row: queries autoflush
            person, created = get_or_add(
                existing, slug, lambda s=slug: Practitioner(tenant_id=tenant.id, slug=s)
            )
            languages = spec.get("languages", [])
            if not isinstance(languages, list):
                raise BundleError(f"{where}: languages must be a list")
            values = {
                "name": str(spec["name"]),
                "title": str(spec.get("title", "")),
                "bio": str(spec.get("bio", "")).strip(),
                "photo": spec.get("photo"),
                "photo_media_id": photo_id,
                "languages": [str(lang) for lang in languages],
                "position": position,
                "active": True,
            }
            changed = assign(person, values)
            db.session.flush()
            changed |= self._services(person, spec.get("services"), services, where)
            changed |= self._hours(person, spec.get("hours", {}), locations, where)
            changed |= self._time_off(person, spec.get("time_off", []), locations, where)
            if changed or created:
                self.note(created, f"practitioner {slug}")
        for slug, person in existing.items():
            if slug not in listed and person.active:
                person.active = False
                self.note(False, f"practitioner {slug} retired")

    def _photo(self, spec: dict[str, Any], where: str) -> int | None:
        photo = spec.get("photo")
        if not photo or not str(photo).lower().endswith(PHOTO_SUFFIXES):
            return None
        alt = spec.get("photo_alt") or f"Portrait of {spec['name']}"
        return bundle_image(self.bundle, self.tenant, photo, alt, f"{where}.photo")

    def _services(self, person, wanted_slugs, services, where) -> bool:
        if wanted_slugs is None:
            wanted = {s.id for s in services.values()}
        else:
            unknown = [slug for slug in wanted_slugs if slug not in services]
            if unknown:
                raise BundleError(f"{where}.services: unknown service {unknown[0]!r}")
            wanted = {services[slug].id for slug in wanted_slugs}
        current = {link.service_id: link for link in person.services}
        if set(current) == wanted:
            return False
        for service_id, link in current.items():
            if service_id not in wanted:
                person.services.remove(link)
        for service_id in sorted(wanted - set(current)):
            person.services.append(
                PractitionerService(tenant_id=self.tenant.id, service_id=service_id)
            )
        return True

    def _hours(self, person, spec: dict[str, Any], locations, where) -> bool:
        wanted: set[tuple[int, int, time, time]] = set()
        for location_slug, week in spec.items():
            location = locations.get(location_slug)
            if location is None:
                raise BundleError(f"{where}.hours: unknown location {location_slug!r}")
            for weekday, opens, closes in weekly_hours(week, f"{where}.hours.{location_slug}"):
                wanted.add((location.id, weekday, opens, closes))
        current = {(h.location_id, h.weekday, h.opens, h.closes): h for h in person.hours}
        if set(current) == wanted:
            return False
        for key, row in current.items():
            if key not in wanted:
                person.hours.remove(row)
        for location_id, weekday, opens, closes in sorted(wanted - set(current)):
            person.hours.append(
                PractitionerHours(
                    tenant_id=self.tenant.id,
                    location_id=location_id,
                    weekday=weekday,
                    opens=opens,
                    closes=closes,
                )
            )
        return True

    def _time_off(self, person, specs, locations: dict[str, Location], where) -> bool:
        """Time off as UTC ranges; dates are whole local days where they first work."""
        first = min(person.location_ids, default=None)
        zone_name = next(
            (loc.timezone for loc in locations.values() if loc.id == first),
            self.tenant.primary_location.timezone,
        )
        zone = ZoneInfo(zone_name)
        wanted: dict[tuple[datetime, datetime], str] = {}
        for index, spec in enumerate(specs):
            here = f"{where}.time_off[{index}]"
            starts = _instant(spec.get("from"), zone, here, end=False)
            ends = _instant(spec.get("until", spec.get("from")), zone, here, end=True)
            if not starts < ends:
                raise BundleError(f"{here}: 'until' must be after 'from'")
            wanted[(starts, ends)] = str(spec.get("note", ""))
        current = {
            (t.starts_at, t.ends_at): t
            for t in db.session.scalars(
                select(TimeOff).where(
                    TimeOff.tenant_id == self.tenant.id, TimeOff.practitioner_id == person.id
                )
            )
        }
        changed = False
        for key, row in current.items():
            if key not in wanted:
                db.session.delete(row)
                changed = True
        for (starts, ends), note in wanted.items():
            row = current.get((starts, ends))
            if row is None:
                db.session.add(
                    TimeOff(
                        tenant_id=self.tenant.id,
                        practitioner_id=person.id,
                        starts_at=starts,
                        ends_at=ends,
                        note=note,
                    )
                )
                changed = True
            elif assign(row, {"note": note}):
                changed = True
        return changed


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
