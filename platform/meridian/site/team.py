"""The clinic's team on its public site: "Our team" and one page per practitioner.

Cached like every reading page; each practitioner's page links to booking with them.
"""

from __future__ import annotations

from flask import abort

from ..pagecache import public_page
from ..templating import render_site
from ..tenancy import current_tenant
from ..urls import tenant_url
from . import bp, queries


@bp.get("/team")
@public_page()
def team():
    """Every active practitioner: photo, title, short bio, services and where they work."""
    tenant = current_tenant()
    return render_site(
        "team.html",
        team=queries.team(),
        canonical=tenant_url(tenant, "site.team"),
    )


@bp.get("/team/<slug>")
@public_page()
def practitioner(slug: str):
    tenant = current_tenant()
    member = next((m for m in queries.team() if m.person.slug == slug), None)
    if member is None:
        abort(404)
    return render_site(
        "practitioner.html",
        member=member,
        canonical=tenant_url(tenant, "site.practitioner", slug=slug),
    )
