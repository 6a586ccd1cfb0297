"""Sync one bundle folder into the database (see the package docstring).

The loader only parses: every write goes through `meridian.content`, the same
functions the studio uses, and a refusal there becomes a BundleError naming the file
and the field.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

import frontmatter
from sqlalchemy import select

from ..content import PostData, save_post
from ..content import clinic as clinic_content
from ..content import redirects as redirect_rules
from ..content.faqs import sync_faqs
from ..content.settings import save_settings
from ..extensions import db
from ..models import Domain, MediaItem, Post, Redirect, Service, Tenant
from ..privacy import versions as privacy_versions
from ..themes import THEMES
from .fields import (
    SOURCE,
    BundleError,
    LoadReport,
    StudioEdits,
    checked_slug,
    instant,
    minor_units,
    rules,
    weekly_hours,
)
from .images import bundle_image
from .team import TeamLoader

LOCATION_FIELDS = (
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


class BundleLoader:
    def __init__(self, path: Path, *, replace: bool = False, dry_run: bool = False) -> None:
        self.path = path
        self.replace = replace
        self.dry_run = dry_run
        self.report = LoadReport(tenant=path.name)

    def _image(self, tenant: Tenant, name: Any, alt: Any, where: str) -> int | None:
        """A picture of the bundle into the clinic's media library (no file written on a
        dry run)."""
        return bundle_image(self.path, tenant, name, alt, where, store=not self.dry_run)

    def _note(self, created: bool, label: str, fields: list[str] | None = None) -> None:
        (self.report.created if created else self.report.updated).append(label)
        if fields:
            self.report.details[label] = list(fields)

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
            tenant, edited_at = self._tenant(data)
            self._domains(tenant, data.get("domains", {}))
            zone = self._locations(tenant, data.get("locations", []))
            self._services(tenant, data.get("services", []))
            TeamLoader(tenant, self._note, self._image).load(data.get("practitioners"))
            self._faqs(tenant, data.get("faqs", []))
            self._posts(tenant, zone)
            self._redirects(tenant, data.get("redirects", []))
            if self.dry_run:
                db.session.rollback()
                return self.report
            # A new clinic's privacy notice, version 1, before anyone sends a form.
            privacy_versions.in_force(tenant)
            if edited_at is not None and self.report.changed and not self.replace:
                raise StudioEdits(self.report, edited_at)
            tenant.studio_edited_at = None
            if commit:
                db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        return self.report

    def _tenant(self, data: dict[str, Any]) -> tuple[Tenant, datetime | None]:
        slug = checked_slug(data.get("slug", self.path.name), "tenant.toml")
        brand = data.get("brand", {})
        cutoff = data.get("booking", {}).get("change_cutoff_hours", 24)
        if not isinstance(cutoff, int) or not 0 <= cutoff <= 24 * 14:
            raise BundleError("tenant.toml: booking.change_cutoff_hours must be 0-336 hours")
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
        if tenant is None:
            tenant = Tenant(slug=slug, name=data["name"], social={})
            db.session.add(tenant)
            db.session.flush()
        edited_at = tenant.studio_edited_at
        values = {
            "name": data["name"],
            "tagline": data.get("tagline", ""),
            "about_md": data.get("about", ""),
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
            "change_cutoff_hours": cutoff,
            "mail_from": str(data.get("mail_from", "")),
            "theme": theme,
            "trust_line": data.get("trust", ""),
            "first_visit": first_visit,
        }
        # The hero is a photo of the clinic's library: the tenant needs its id first.
        values["hero_media_id"] = self._image(
            tenant, hero.get("image"), hero.get("alt"), "tenant.toml: hero"
        )
        with rules("tenant.toml"):
            changes = save_settings(tenant, values, source=SOURCE)
        if changes or created:
            self._note(created, f"tenant {slug}", [] if created else list(changes))
        db.session.flush()
        self.report.tenant = slug
        return tenant, edited_at

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
            elif domain.is_primary != is_primary:
                domain.is_primary = is_primary
                self._note(False, f"domain {hostname}")
        db.session.flush()

    def _locations(self, tenant: Tenant, specs: list[dict[str, Any]]) -> str:
        if not specs:
            raise BundleError("tenant.toml: at least one [[locations]] is required")
        existing = {loc.slug: loc for loc in tenant.locations}
        for position, spec in enumerate(specs):
            where = f"locations[{position}]"
            slug = checked_slug(spec.get("slug"), where)
            if not isinstance(spec.get("timezone"), str):
                raise BundleError(f"{where}: timezone must be an IANA zone name")
            values = {key: spec.get(key, "") for key in LOCATION_FIELDS} | {
                "country": spec.get("country", tenant.country),
                "timezone": spec["timezone"],
                "latitude": spec.get("latitude"),
                "longitude": spec.get("longitude"),
                "holiday_subdivision": str(spec.get("holiday_subdivision", "")),
                "position": position,
            }
            with rules(where):
                if not clinic_content.valid_zone(spec["timezone"]):
                    raise BundleError(f"{where}: timezone must be an IANA zone name")
                location = existing.get(slug)
                location, changes = clinic_content.save_location(
                    tenant, location, slug, values, source=SOURCE
                )
            created = slug not in existing
            if created or changes:
                self._note(created, f"location {slug}", [] if created else list(changes))
            closures = self._closure_spec(spec.get("closures", []), where)
            wanted = weekly_hours(spec.get("hours", {}), f"{where}.hours")
            with rules(f"{where}.hours"):
                closed = clinic_content.set_closures(tenant, location, closures, source=SOURCE)
                hours = clinic_content.set_hours(tenant, location, wanted, source=SOURCE)
            if closed and not created:
                self._note(False, f"closures {slug}")
            if hours and not created:
                self._note(False, f"hours {slug}")
        return specs[0]["timezone"]

    @staticmethod
    def _closure_spec(specs: list[dict[str, Any]], where: str) -> dict[date, tuple[str, bool]]:
        """Closed days (`{date, reason}`) and holidays opened anyway (`open = true`)."""
        wanted: dict[date, tuple[str, bool]] = {}
        for index, spec in enumerate(specs):
            raw = spec.get("date")
            try:
                day = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
            except ValueError as exc:
                raise BundleError(f"{where}.closures[{index}]: date {raw!r} is not ISO") from exc
            wanted[day] = (str(spec.get("reason", "")), bool(spec.get("open", False)))
        return wanted

    def _services(self, tenant: Tenant, specs: list[dict[str, Any]]) -> None:
        existing = {
            s.slug: s
            for s in db.session.scalars(select(Service).where(Service.tenant_id == tenant.id))
        }
        for position, spec in enumerate(specs):
            where = f"services[{position}]"
            slug = checked_slug(spec.get("slug"), where)
            values = {
                "name": spec.get("name", slug),
                "description": spec.get("description", ""),
                "duration_minutes": spec.get("duration_minutes"),
                "price_minor": minor_units(spec.get("price", "0"), where),
                "buffer_minutes": int(spec.get("buffer_minutes", 0)),
                "online_bookable": bool(spec.get("online_bookable", True)),
                "new_clients_only": bool(spec.get("new_clients_only", False)),
                "min_notice_minutes": int(spec.get("min_notice_minutes", 120)),
                "horizon_days": int(spec.get("horizon_days", 60)),
                "position": position,
            }
            with rules(where):
                _, changes = clinic_content.save_service(
                    tenant, existing.get(slug), slug, values, source=SOURCE
                )
            created = slug not in existing
            if created or changes:
                self._note(created, f"service {slug}", [] if created else list(changes))

    def _faqs(self, tenant: Tenant, specs: list[dict[str, Any]]) -> None:
        for position, spec in enumerate(specs):
            if "question" not in spec:
                raise BundleError(f"faqs[{position}]: question is required")
        items = [(spec["question"], spec.get("answer", "")) for spec in specs]
        with rules("tenant.toml"):
            for created, label, fields in sync_faqs(tenant, items, source=SOURCE):
                self._note(created, label, fields)

    def _posts(self, tenant: Tenant, zone: str) -> None:
        folder = self.path / "posts"
        files = sorted(folder.glob("*.md")) if folder.is_dir() else []
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
            slug = checked_slug(meta.get("slug", file.stem), where, limit=120)
            if not meta.get("title"):
                raise BundleError(f"{where}: title is required")
            data = PostData(
                title=str(meta["title"]),
                slug=slug,
                body_md=doc.content,
                excerpt=str(meta.get("excerpt", "")),
                description=str(meta.get("description", "")),
                seo_title=str(meta.get("seo_title", "")),
                author=str(meta.get("author", "")),
                cover_media_id=self._cover_id(tenant, meta, where),
                cover_image=meta.get("cover_image"),  # a plain same-site path
                cover_alt=str(meta.get("cover_alt", "")),
                tags=[str(name) for name in meta.get("tags", []) or []],
                published_at=None
                if meta.get("draft")
                else instant(meta.get("published"), zone, where),
                # The post's own dates (front matter), not the time of this load: feeds
                # and sitemaps say "changed" only when the author says it changed.
                updated_at=instant(meta["updated"], zone, where)
                if meta.get("updated")
                else None
                if meta.get("draft")
                else instant(meta.get("published"), zone, where),
            )
            with rules(where):
                saved = save_post(tenant, posts.get(slug), data, source=SOURCE, kind=SOURCE)
            if saved.changed:
                fields = [] if saved.created else list(saved.changes)
                self._note(saved.created, f"post {slug}", fields)

    def _cover_id(self, tenant: Tenant, meta: dict[str, Any], where: str) -> int | None:
        """`cover: <file in static/>` (added to the clinic's media library once), or
        `cover_media: <token>`, a photo already in the library."""
        if meta.get("cover"):
            return self._image(tenant, meta["cover"], meta.get("cover_alt"), where)
        token = meta.get("cover_media")
        if token is None:
            return None
        media_id = db.session.scalar(
            select(MediaItem.id).where(
                MediaItem.tenant_id == tenant.id, MediaItem.token == str(token)
            )
        )
        if media_id is None:
            raise BundleError(
                f"{where}: cover_media {token!r} is not in the clinic's media library"
            )
        return media_id

    def _redirects(self, tenant: Tenant, specs: list[dict[str, Any]]) -> None:
        """Old addresses kept as 301s (`{from, to}`); ones not listed are kept too."""
        current = {
            r.old_path: r.new_path
            for r in db.session.scalars(select(Redirect).where(Redirect.tenant_id == tenant.id))
        }
        for index, spec in enumerate(specs):
            where = f"redirects[{index}]"
            try:
                old, new = (redirect_rules.normalise(str(spec.get(k, ""))) for k in ("from", "to"))
            except ValueError as exc:
                raise BundleError(f"{where}: {exc}") from exc
            if current.get(old) != new:
                redirect_rules.add(tenant, old, new, str(spec.get("reason", "manual")))
                self._note(old not in current, f"redirect {old}")


def load_bundle(path: str | Path, *, replace: bool = False, dry_run: bool = False) -> LoadReport:
    return BundleLoader(Path(path), replace=replace, dry_run=dry_run).load()
