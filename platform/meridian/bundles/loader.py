"""Sync one bundle folder into the database (see the package docstring)."""

from __future__ import annotations

import re
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import frontmatter
from sqlalchemy import select

from ..extensions import db
from ..markdown import reading_minutes, render_markdown
from ..models import (
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
from ..themes import THEMES
from .fields import (
    COLOUR,
    BundleError,
    LoadReport,
    assign,
    checked_slug,
    get_or_add,
    instant,
    minor_units,
    weekly_hours,
)
from .images import bundle_image
from .team import TeamLoader


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
        return self.apply(data)

    def apply(self, data: dict[str, Any], commit: bool = True) -> LoadReport:
        """Sync a manifest already read (tenant.toml's contents, or the admin console's
        onboarding form); posts come from the folder's posts/ if it has one. With
        `commit=False` the caller commits (and adds to the same transaction)."""
        try:
            tenant = self._tenant(data)
            self._domains(tenant, data.get("domains", {}))
            zone = self._locations(tenant, data.get("locations", []))
            self._services(tenant, data.get("services", []))
            TeamLoader(tenant, self._note).load(data.get("practitioners"))
            self._faqs(tenant, data.get("faqs", []))
            self._posts(tenant, zone)
            if commit:
                db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        return self.report

    def _tenant(self, data: dict[str, Any]) -> Tenant:
        slug = checked_slug(data.get("slug", self.path.name), "tenant.toml")
        brand = data.get("brand", {})
        for key in ("primary", "accent"):
            if key in brand and not COLOUR.match(brand[key]):
                raise BundleError(f"tenant.toml: brand.{key} must be #rrggbb")
        if "name" not in data:
            raise BundleError("tenant.toml: name is required")
        theme = data.get("theme", "calm")
        if theme not in THEMES:
            raise BundleError(f"tenant.toml: theme must be one of {', '.join(THEMES)}")
        hero = data.get("hero", {})
        first_visit = data.get("first_visit", [])
        if not isinstance(first_visit, list) or not all(isinstance(s, str) for s in first_visit):
            raise BundleError("tenant.toml: first_visit must be a list of short sentences")
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
            "mail_from": str(data.get("mail_from", "")),
            "theme": theme,
            "trust_line": data.get("trust", ""),
            "first_visit": first_visit,
        }
        changed = assign(tenant, values)
        db.session.flush()  # the hero belongs to the tenant: it needs the tenant's id
        hero_id = bundle_image(
            self.path, tenant, hero.get("image"), hero.get("alt"), "tenant.toml: hero"
        )
        if assign(tenant, {"hero_media_id": hero_id}) or changed or created:
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
            elif assign(domain, {"is_primary": is_primary}):
                self._note(False, f"domain {hostname}")
        db.session.flush()

    def _locations(self, tenant: Tenant, specs: list[dict[str, Any]]) -> str:
        if not specs:
            raise BundleError("tenant.toml: at least one [[locations]] is required")
        existing = {loc.slug: loc for loc in tenant.locations}
        for position, spec in enumerate(specs):
            where = f"locations[{position}]"
            slug = checked_slug(spec.get("slug"), where)
            try:
                ZoneInfo(spec["timezone"])
            except (KeyError, ZoneInfoNotFoundError) as exc:
                raise BundleError(f"{where}: timezone must be an IANA zone name") from exc
            location, created = get_or_add(
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
            if assign(location, values) or created:
                self._note(created, f"location {slug}")
            db.session.flush()
            if self._closures(tenant, location, spec.get("closures", []), where) and not created:
                self._note(False, f"closures {slug}")
            wanted = weekly_hours(spec.get("hours", {}), f"{where}.hours")
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
            elif assign(row, {"reason": reason, "is_open": is_open}):
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
            slug = checked_slug(spec.get("slug"), where)
            duration = spec.get("duration_minutes")
            if not isinstance(duration, int) or duration <= 0:
                raise BundleError(f"{where}: duration_minutes must be a positive whole number")
            service, created = get_or_add(
                existing, slug, lambda s=slug: Service(tenant_id=tenant.id, slug=s)
            )
            values = {
                "name": spec.get("name", slug),
                "description": spec.get("description", ""),
                "duration_minutes": duration,
                "price_minor": minor_units(spec.get("price", "0"), where),
                "buffer_minutes": int(spec.get("buffer_minutes", 0)),
                "online_bookable": bool(spec.get("online_bookable", True)),
                "new_clients_only": bool(spec.get("new_clients_only", False)),
                "min_notice_minutes": int(spec.get("min_notice_minutes", 120)),
                "horizon_days": int(spec.get("horizon_days", 60)),
                "position": position,
            }
            if assign(service, values) or created:
                self._note(created, f"service {slug}")

    def _faqs(self, tenant: Tenant, specs: list[dict[str, Any]]) -> None:
        existing = {
            f.position: f for f in db.session.scalars(select(Faq).where(Faq.tenant_id == tenant.id))
        }
        seen: set[int] = set()
        for position, spec in enumerate(specs):
            if "question" not in spec:
                raise BundleError(f"faqs[{position}]: question is required")
            faq, created = get_or_add(
                existing, position, lambda p=position: Faq(tenant_id=tenant.id, position=p)
            )
            seen.add(position)
            answer = spec.get("answer", "")
            values = {
                "question": spec["question"],
                "answer_md": answer,
                "answer_html": render_markdown(answer),
            }
            if assign(faq, values) or created:
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
            slug = checked_slug(meta.get("slug", file.stem), where)
            if not meta.get("title"):
                raise BundleError(f"{where}: title is required")
            # Before get_or_add: a new, still empty post must not be flushed by its lookup.
            cover_id = bundle_image(
                self.path, tenant, meta.get("cover"), meta.get("cover_alt"), where
            )
            post, created = get_or_add(
                posts, slug, lambda s=slug: Post(tenant_id=tenant.id, slug=s)
            )
            values = {
                "title": str(meta["title"]),
                "description": str(meta.get("description", "")),
                "excerpt": str(meta.get("excerpt", "")),
                "author": str(meta.get("author", "")),
                "cover_media_id": cover_id,
                "body_md": doc.content,
                "body_html": render_markdown(doc.content),
                "reading_minutes": reading_minutes(doc.content),
                "published_at": None
                if meta.get("draft")
                else instant(meta.get("published"), zone, where),
            }
            changed = assign(post, values)
            wanted_tags = []
            for name in meta.get("tags", []) or []:
                tag_slug = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")
                tag, _ = get_or_add(
                    tags,
                    checked_slug(tag_slug, where),
                    lambda s=tag_slug, n=str(name): Tag(tenant_id=tenant.id, slug=s, name=n),
                )
                wanted_tags.append(tag)
            if {t.slug for t in post.tags} != {t.slug for t in wanted_tags}:
                post.tags = wanted_tags
                changed = True
            if changed or created:
                self._note(created, f"post {slug}")


def load_bundle(path: str | Path) -> LoadReport:
    return BundleLoader(Path(path)).load()
