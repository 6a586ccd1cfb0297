"""Write a clinic from the database back out as a bundle folder.

Loading the folder into an empty database gives the same clinic: every row a visitor
can see (settings, domains, locations, hours, closures, services, FAQs, posts with
their dates and tags, redirects) round-trips, which `tests/test_bundle_export.py`
checks field by field. Revisions and accounts are not part of a bundle.
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import frontmatter
import tomli_w
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..media.storage import storage
from ..models import (
    WEEKDAYS,
    Closure,
    Faq,
    MediaItem,
    Post,
    Practitioner,
    Redirect,
    Service,
    Tenant,
    TimeOff,
)
from .fields import BundleError

LOCATION_FIELDS = (
    "slug", "name", "street", "locality", "city", "region", "postcode", "country",
    "phone", "email", "holiday_subdivision", "timezone", "latitude", "longitude", "directions",
)  # fmt: skip


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _rows(model, tenant: Tenant, *order):
    return list(
        db.session.scalars(select(model).where(model.tenant_id == tenant.id).order_by(*order))
    )


#: How bundles/images.py names a photo it added to the library: `<file> (<digest>)`.
FROM_BUNDLE = re.compile(r"(?P<name>.+) \([0-9a-f]{12}\)")


def image_file(item: MediaItem, folder: Path) -> str:
    """The name under `static/` that loads back as this photo: the bundle's own file
    when it came from one (export copies static/), else its widest copy, written out."""
    match = FROM_BUNDLE.fullmatch(item.filename or "")
    if match and (folder / "static" / match["name"]).is_file():
        return match["name"]
    name = f"media/{item.token}.webp"
    data = storage().get(f"{item.tenant_id}/{item.variants[-1][2]}")
    if data is None:
        raise BundleError(f"photo {item.id}: its stored copy is missing")
    (folder / "static" / "media").mkdir(parents=True, exist_ok=True)
    (folder / "static" / name).write_bytes(data)
    return name


def manifest(tenant: Tenant, folder: Path) -> dict[str, Any]:
    """tenant.toml's contents for this clinic (its hero photo written under `folder`)."""
    closures: dict[int, list[Closure]] = {}
    for row in _rows(Closure, tenant, Closure.day):
        closures.setdefault(row.location_id, []).append(row)
    locations = []
    for location in tenant.locations:
        spec = _without_none({name: getattr(location, name) for name in LOCATION_FIELDS})
        spec["hours"] = {
            day: [f"{h.opens:%H:%M}-{h.closes:%H:%M}" for h in location.hours if h.weekday == index]
            for index, day in enumerate(WEEKDAYS)
        }
        spec["closures"] = [
            {"date": c.day, "reason": c.reason} | ({"open": True} if c.is_open else {})
            for c in closures.get(location.id, [])
        ]
        locations.append(spec)
    services = [
        {
            "slug": s.slug,
            "name": s.name,
            "description": s.description,
            "duration_minutes": s.duration_minutes,
            "price": f"{Decimal(s.price_minor) / 100:.2f}",
            "buffer_minutes": s.buffer_minutes,
            "online_bookable": s.online_bookable,
            "new_clients_only": s.new_clients_only,
            "min_notice_minutes": s.min_notice_minutes,
            "horizon_days": s.horizon_days,
        }
        for s in _rows(Service, tenant, Service.position, Service.id)
    ]
    primary = tenant.primary_host
    return _without_none(
        {
            "slug": tenant.slug,
            "name": tenant.name,
            "tagline": tenant.tagline,
            "locale": tenant.locale,
            "currency": tenant.currency,
            "country": tenant.country,
            "founded": tenant.founded,
            "about": tenant.about_md,
            "disclaimer": tenant.disclaimer,
            "cta": tenant.cta,
            "brand": _without_none(
                {
                    "primary": tenant.brand_primary,
                    "accent": tenant.brand_accent,
                    "logo": tenant.logo,
                }
            ),
            "domains": {
                "primary": primary,
                "aliases": [d.hostname for d in tenant.domains if d.hostname != primary],
            },
            "theme": tenant.theme,
            "trust": tenant.trust_line or None,
            "first_visit": list(tenant.first_visit or []) or None,
            "hero": {"image": image_file(tenant.hero, folder), "alt": tenant.hero.alt}
            if tenant.hero is not None
            else None,
            "social": dict(tenant.social or {}),
            "locations": locations,
            "services": services,
            "practitioners": team(tenant, services) or None,
            "faqs": [
                {"question": f.question, "answer": f.answer_md}
                for f in _rows(Faq, tenant, Faq.position, Faq.id)
            ],
            "redirects": [
                {"from": r.old_path, "to": r.new_path, "reason": r.reason}
                for r in _rows(Redirect, tenant, Redirect.old_path)
            ]
            or None,
        }
    )


def _week(rows) -> dict[str, list[str]]:
    return {
        day: [f"{h.opens:%H:%M}-{h.closes:%H:%M}" for h in rows if h.weekday == index]
        for index, day in enumerate(WEEKDAYS)
    }


def team(tenant: Tenant, services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The `[[practitioners]]` who are shown (retired ones stay in the database only)."""
    slugs = {s.id: s.slug for s in _rows(Service, tenant, Service.id)}
    places = {loc.id: loc.slug for loc in tenant.locations}
    time_off: dict[int, list[TimeOff]] = {}
    for row in _rows(TimeOff, tenant, TimeOff.starts_at):
        time_off.setdefault(row.practitioner_id, []).append(row)
    people = []
    for person in _rows(Practitioner, tenant, Practitioner.position, Practitioner.id):
        if not person.active:
            continue
        hours = {
            places[location_id]: _week([h for h in person.hours if h.location_id == location_id])
            for location_id in sorted({h.location_id for h in person.hours})
        }
        spec = {
            "slug": person.slug,
            "name": person.name,
            "title": person.title,
            "bio": person.bio,
            "photo": person.photo,
            "languages": list(person.languages or []),
            "services": sorted(slugs[link.service_id] for link in person.services),
            "hours": hours,
            "time_off": [
                {"from": t.starts_at.isoformat(), "until": t.ends_at.isoformat(), "note": t.note}
                for t in time_off.get(person.id, [])
            ],
        }
        people.append(_without_none(spec))
    return people


def post_file(post: Post, folder: Path) -> str:
    meta: dict[str, Any] = {"title": post.title, "slug": post.slug}
    if post.published_at is None:
        meta["draft"] = True
    else:
        meta["published"] = post.published_at.isoformat()
    meta["updated"] = post.updated_at.isoformat()
    for key, name in (
        ("author", "author"),
        ("description", "description"),
        ("excerpt", "excerpt"),
        ("seo_title", "seo_title"),
        ("cover_image", "cover_image"),
        ("cover_alt", "cover_alt"),
    ):
        if getattr(post, name):
            meta[key] = getattr(post, name)
    if post.cover is not None:
        meta["cover"] = image_file(post.cover, folder)
    if post.tags:
        meta["tags"] = [tag.name for tag in post.tags]
    return frontmatter.dumps(frontmatter.Post(post.body_md, **meta)) + "\n"


def export_bundle(tenant: Tenant, folder: Path) -> list[Path]:
    """Write `folder` (which must be empty or missing); the files written."""
    if folder.exists() and any(folder.iterdir()):
        raise BundleError(f"{folder}: not empty; export into a new folder")
    (folder / "posts").mkdir(parents=True)
    written = []
    source = Path(current_app.config["TENANTS_DIR"]) / tenant.slug
    for part in ("static", "templates"):
        if (source / part).is_dir():
            shutil.copytree(source / part, folder / part)
            written.append(folder / part)
    written.append(folder / "tenant.toml")
    written[-1].write_text(
        tomli_w.dumps(manifest(tenant, folder), multiline_strings=True), encoding="utf-8"
    )
    posts = db.session.scalars(
        select(Post)
        .where(Post.tenant_id == tenant.id)
        .options(selectinload(Post.tags))
        .order_by(Post.slug)
    )
    for post in posts:
        path = folder / "posts" / f"{post.slug}.md"
        path.write_text(post_file(post, folder), encoding="utf-8")
        written.append(path)
    return written
