"""Structured data (schema.org JSON-LD) for clinics and posts."""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from ..models import Location, OpeningHours, Post, Tenant
from ..urls import tenant_url

_SCHEMA_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def json_ld(data: dict[str, Any]) -> Markup:
    """Serialise for a <script type="application/ld+json"> block; `</` cannot close it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704  (escaped above for a script data block)


def _business(tenant: Tenant, location: Location, hours: list[OpeningHours]) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@type": ["MedicalBusiness", "LocalBusiness"],
        "@id": tenant_url(tenant, "site.location", slug=location.slug) + "#business",
        "name": f"{tenant.name} — {location.name}" if len(tenant.locations) > 1 else tenant.name,
        "url": tenant_url(tenant, "index"),
        "address": {
            "@type": "PostalAddress",
            "streetAddress": location.street,
            "addressLocality": location.city,
            "addressRegion": location.region or None,
            "postalCode": location.postcode,
            "addressCountry": location.country,
        },
        "openingHoursSpecification": [
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": f"https://schema.org/{_SCHEMA_DAYS[h.weekday]}",
                "opens": h.opens.strftime("%H:%M"),
                "closes": h.closes.strftime("%H:%M"),
            }
            for h in hours
        ],
    }
    if location.phone:
        node["telephone"] = location.phone
    if location.email:
        node["email"] = location.email
    if location.latitude is not None and location.longitude is not None:
        node["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": location.latitude,
            "longitude": location.longitude,
        }
    if tenant.logo:
        node["logo"] = tenant_url(tenant, "site.brand_asset", filename=tenant.logo)
    if tenant.social:
        node["sameAs"] = list(tenant.social.values())
    node["address"] = {k: v for k, v in node["address"].items() if v}
    return node


def clinic_graph(tenant: Tenant, hours_by_location: dict[int, list[OpeningHours]]) -> Markup:
    return json_ld(
        {
            "@context": "https://schema.org",
            "@graph": [
                _business(tenant, loc, hours_by_location.get(loc.id, []))
                for loc in tenant.locations
            ],
        }
    )


def post_graph(tenant: Tenant, post: Post) -> Markup:
    url = tenant_url(tenant, "site.post", slug=post.slug)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "description": post.description or post.excerpt,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": post.published_at.isoformat() if post.published_at else None,
        "dateModified": post.updated_at.isoformat(),
        "keywords": [tag.name for tag in post.tags],
        "publisher": {
            "@type": "Organization",
            "name": tenant.name,
            "url": tenant_url(tenant, "index"),
        },
    }
    if post.author:
        data["author"] = {"@type": "Person", "name": post.author}
    return json_ld({k: v for k, v in data.items() if v is not None})
