"""Load a tenant bundle (`tenants/<slug>/`) into the database, idempotently.

A bundle is `tenant.toml` plus `posts/*.md` (YAML front matter + Markdown). Loading
the same bundle twice writes nothing; editing a file and loading again updates just
what changed. Rows are matched on natural keys (tenant slug, hostname, location,
service and post slugs, FAQ position), so ids stay stable. Posts created later in
the studio are never deleted by a reload.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import frontmatter
from sqlalchemy import select

from .extensions import db
from .markdown import reading_minutes, render_markdown
from .models import (
    WEEKDAYS,
    Closure,
    Domain,
    Faq,
    Location,
    OpeningHours,
    Post,
    Service,
    Tag,
    Tenant,
)

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class BundleError(ValueError):
    """The bundle is malformed; the message names the file and the field."""


@dataclass
class LoadReport:
    tenant: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    """Set only the attributes that differ; True if anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def _get_or_add(existing: dict[Any, Any], key: Any, make: Callable[[], Any]) -> tuple[Any, bool]:
    """The row already loaded under `key`, or a new one added to the session."""
    row = existing.get(key)
    if row is not None:
        return row, False
    row = existing[key] = make()
    db.session.add(row)
    return row, True


def _slug(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _SLUG.match(value):
        raise BundleError(f"{where}: slug {value!r} must be lower-case letters, digits and dashes")
    return value


def _minor_units(price: Any, where: str) -> int:
    try:
        amount = Decimal(str(price))
    except InvalidOperation as exc:
        raise BundleError(f"{where}: price {price!r} is not a number") from exc
    if amount < 0:
        raise BundleError(f"{where}: price must not be negative")
    return int((amount * 100).to_integral_value())


def _hours(spec: dict[str, list[str]], where: str) -> set[tuple[int, time, time]]:
    result: set[tuple[int, time, time]] = set()
    for key, ranges in spec.items():
        if key not in WEEKDAYS:
            raise BundleError(f"{where}: unknown weekday {key!r} (use {', '.join(WEEKDAYS)})")
        for text in ranges:
            match = _RANGE.match(text)
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


class BundleLoader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.report = LoadReport(tenant=path.name)

    def _note(self, created: bool, label: str) -> None:
        (self.report.created if created else self.report.updated).append(label)

    def load(self) -> LoadReport:
        manifest = self.path / "tenant.toml"
        if not manifest.is_file():
            raise BundleError(f"{manifest}: not found")
        try:
            data = tomllib.loads(manifest.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise BundleError(f"{manifest}: {exc}") from exc
        try:
            tenant = self._tenant(data)
            self._domains(tenant, data.get("domains", {}))
            zone = self._locations(tenant, data.get("locations", []))
            self._services(tenant, data.get("services", []))
            self._faqs(tenant, data.get("faqs", []))
            self._posts(tenant, zone)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        return self.report

    def _tenant(self, data: dict[str, Any]) -> Tenant:
        slug = _slug(data.get("slug", self.path.name), "tenant.toml")
        brand = data.get("brand", {})
        for key in ("primary", "accent"):
            if key in brand and not _COLOUR.match(brand[key]):
                raise BundleError(f"tenant.toml: brand.{key} must be #rrggbb")
        if "name" not in data:
            raise BundleError("tenant.toml: name is required")
        tenant = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).first()
        created = tenant is None
        if created:
            tenant = Tenant(slug=slug, social={})
            db.session.add(tenant)
        about = data.get("about", "")
        values = {
            "name": data["name"],
            "tagline": data.get("tagline", ""),
            "about_md": about,
            "about_html": render_markdown(about),
            "disclaimer": data.get("disclaimer", ""),
            "cta": data.get("cta", ""),
            "locale": data.get("locale", "en_GB"),
            "currency": data.get("currency", "GBP"),
            "country": data.get("country", "GB"),
            "founded": data.get("founded"),
            "brand_primary": brand.get("primary", "#1f4e5f"),
            "brand_accent": brand.get("accent", "#9c3d1f"),
            "logo": brand.get("logo"),
            "social": dict(data.get("social", {})),
        }
        if _assign(tenant, values) or created:
            self._note(created, f"tenant {slug}")
        db.session.flush()
        self.report.tenant = slug
        return tenant

    def _domains(self, tenant: Tenant, spec: dict[str, Any]) -> None:
        primary = spec.get("primary")
        if not primary:
            raise BundleError("tenant.toml: domains.primary is required")
        wanted = {primary.lower(): True} | {h.lower(): False for h in spec.get("aliases", [])}
        existing = {d.hostname: d for d in tenant.domains}
        # Demote first, so the one-primary-per-tenant index never sees two.
        for hostname, domain in existing.items():
            if domain.is_primary and not wanted.get(hostname, False):
                domain.is_primary = False
                self._note(False, f"domain {hostname}")
        db.session.flush()
        for hostname, is_primary in wanted.items():
            domain = existing.get(hostname)
            if domain is None:
                owner = db.session.scalars(
                    select(Domain).where(Domain.hostname == hostname)
                ).first()
                if owner is not None:
                    raise BundleError(f"domain {hostname} already belongs to another clinic")
                tenant.domains.append(Domain(hostname=hostname, is_primary=is_primary))
                self._note(True, f"domain {hostname}")
            elif _assign(domain, {"is_primary": is_primary}):
                self._note(False, f"domain {hostname}")
        db.session.flush()

    def _locations(self, tenant: Tenant, specs: list[dict[str, Any]]) -> str:
        if not specs:
            raise BundleError("tenant.toml: at least one [[locations]] is required")
        existing = {loc.slug: loc for loc in tenant.locations}
        for position, spec in enumerate(specs):
            where = f"locations[{position}]"
            slug = _slug(spec.get("slug"), where)
            try:
                ZoneInfo(spec["timezone"])
            except (KeyError, ZoneInfoNotFoundError) as exc:
                raise BundleError(f"{where}: timezone must be an IANA zone name") from exc
            location, created = _get_or_add(
                existing, slug, lambda s=slug: Location(tenant=tenant, slug=s)
            )
            values = {
                key: spec.get(key, "")
                for key in (
                    "name",
                    "street",
                    "locality",
                    "city",
                    "region",
                    "postcode",
                    "phone",
                    "email",
                    "directions",
                )
            } | {
                "country": spec.get("country", tenant.country),
                "timezone": spec["timezone"],
                "latitude": spec.get("latitude"),
                "longitude": spec.get("longitude"),
                "holiday_subdivision": str(spec.get("holiday_subdivision", "")),
                "position": position,
            }
            if _assign(location, values) or created:
                self._note(created, f"location {slug}")
            db.session.flush()
            if self._closures(tenant, location, spec.get("closures", []), where) and not created:
                self._note(False, f"closures {slug}")
            wanted = _hours(spec.get("hours", {}), f"{where}.hours")
            if self._hours(tenant, location, wanted) and not created:
                self._note(False, f"hours {slug}")
        return specs[0]["timezone"]

    def _closures(
        self, tenant: Tenant, location: Location, specs: list[dict[str, Any]], where: str
    ) -> bool:
        """Closed days (`{date, reason}`) and holidays opened anyway (`open = true`)."""
        wanted: dict[date, tuple[str, bool]] = {}
        for index, spec in enumerate(specs):
            raw = spec.get("date")
            try:
                day = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
            except ValueError as exc:
                raise BundleError(f"{where}.closures[{index}]: date {raw!r} is not ISO") from exc
            wanted[day] = (str(spec.get("reason", "")), bool(spec.get("open", False)))
        current = {
            c.day: c
            for c in db.session.scalars(select(Closure).where(Closure.location_id == location.id))
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
            elif _assign(row, {"reason": reason, "is_open": is_open}):
                changed = True
        return changed

    def _hours(
        self, tenant: Tenant, location: Location, wanted: set[tuple[int, time, time]]
    ) -> bool:
        """Make the location's weekly hours exactly `wanted`; True if they changed."""
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
        return True

    def _services(self, tenant: Tenant, specs: list[dict[str, Any]]) -> None:
        existing = {
            s.slug: s
            for s in db.session.scalars(select(Service).where(Service.tenant_id == tenant.id))
        }
        for position, spec in enumerate(specs):
            where = f"services[{position}]"
            slug = _slug(spec.get("slug"), where)
            duration = spec.get("duration_minutes")
            if not isinstance(duration, int) or duration <= 0:
                raise BundleError(f"{where}: duration_minutes must be a positive whole number")
            service, created = _get_or_add(
                existing, slug, lambda s=slug: Service(tenant_id=tenant.id, slug=s)
            )
            values = {
                "name": spec.get("name", slug),
                "description": spec.get("description", ""),
                "duration_minutes": duration,
                "price_minor": _minor_units(spec.get("price", "0"), where),
                "buffer_minutes": int(spec.get("buffer_minutes", 0)),
                "online_bookable": bool(spec.get("online_bookable", True)),
                "new_clients_only": bool(spec.get("new_clients_only", False)),
                "min_notice_minutes": int(spec.get("min_notice_minutes", 120)),
                "horizon_days": int(spec.get("horizon_days", 60)),
                "position": position,
            }
            if _assign(service, values) or created:
                self._note(created, f"service {slug}")

    def _faqs(self, tenant: Tenant, specs: list[dict[str, Any]]) -> None:
        existing = {
            f.position: f for f in db.session.scalars(select(Faq).where(Faq.tenant_id == tenant.id))
        }
        seen: set[int] = set()
        for position, spec in enumerate(specs):
            if "question" not in spec:
                raise BundleError(f"faqs[{position}]: question is required")
            faq, created = _get_or_add(
                existing, position, lambda p=position: Faq(tenant_id=tenant.id, position=p)
            )
            seen.add(position)
            answer = spec.get("answer", "")
            values = {
                "question": spec["question"],
                "answer_md": answer,
                "answer_html": render_markdown(answer),
            }
            if _assign(faq, values) or created:
                self._note(created, f"faq {position + 1}")
        for position, faq in existing.items():  # the bundle owns the FAQ list
            if position not in seen:
                db.session.delete(faq)
                self._note(False, f"faq {position + 1} removed")

    def _posts(self, tenant: Tenant, zone: str) -> None:
        folder = self.path / "posts"
        files = sorted(folder.glob("*.md")) if folder.is_dir() else []
        tags = {
            t.slug: t for t in db.session.scalars(select(Tag).where(Tag.tenant_id == tenant.id))
        }
        posts = {
            p.slug: p for p in db.session.scalars(select(Post).where(Post.tenant_id == tenant.id))
        }
        for file in files:
            where = f"posts/{file.name}"
            try:
                doc = frontmatter.loads(file.read_text(encoding="utf-8"))
            except Exception as exc:  # YAML errors come in several types
                raise BundleError(f"{where}: front matter: {exc}") from exc
            meta = doc.metadata
            slug = _slug(meta.get("slug", file.stem), where)
            if not meta.get("title"):
                raise BundleError(f"{where}: title is required")
            post, created = _get_or_add(
                posts, slug, lambda s=slug: Post(tenant_id=tenant.id, slug=s)
            )
            values = {
                "title": str(meta["title"]),
                "description": str(meta.get("description", "")),
                "excerpt": str(meta.get("excerpt", "")),
                "author": str(meta.get("author", "")),
                "cover_image": meta.get("cover"),
                "body_md": doc.content,
                "body_html": render_markdown(doc.content),
                "reading_minutes": reading_minutes(doc.content),
                "published_at": None
                if meta.get("draft")
                else _instant(meta.get("published"), zone, where),
            }
            changed = _assign(post, values)
            wanted_tags = []
            for name in meta.get("tags", []) or []:
                tag_slug = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")
                tag, _ = _get_or_add(
                    tags,
                    _slug(tag_slug, where),
                    lambda s=tag_slug, n=str(name): Tag(tenant_id=tenant.id, slug=s, name=n),
                )
                wanted_tags.append(tag)
            if {t.slug for t in post.tags} != {t.slug for t in wanted_tags}:
                post.tags = wanted_tags
                changed = True
            if changed or created:
                self._note(created, f"post {slug}")


def _instant(value: Any, zone: str, where: str) -> datetime:
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


def load_bundle(path: str | Path) -> LoadReport:
    return BundleLoader(Path(path)).load()
