"""Every public route of one clinic refuses the other clinic's content.

The route list is read from the URL map, so a new public route without a case here
fails `test_every_site_route_is_covered` until it is added.
"""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from meridian.extensions import db
from meridian.models import Location, OpeningHours, Post, Practitioner, Tag, post_tag

from .factories import saved

# For each site route with arguments: how to build the URL from clinic A's objects.
OWNED_URLS = {
    "site.post": "/blog/{post}",
    "site.tag": "/blog/tag/{tag}",
    "site.location": "/contact/{location}",
    "site.practitioner": "/team/{practitioner}",
}
SHARED_URLS = {
    "site.blog": "/blog",
    "site.faq": "/faq",
    "site.team": "/team",
    "site.contact": "/contact",
    "site.privacy": "/privacy",
    "site.feed": "/feed.xml",
    "site.sitemap": "/sitemap.xml",
    "site.robots": "/robots.txt",
    "site.theme": "/theme.css",
    "site.og_image": "/og.png",
    "site.brand_asset": "/brand/logo.svg",
    "index": "/",
}


def test_every_site_route_is_covered(app):
    endpoints = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("site.")
    }
    covered = set(OWNED_URLS) | set(SHARED_URLS)
    assert endpoints <= covered, f"add isolation cases for {sorted(endpoints - covered)}"


@pytest.fixture
def two_clinics(make_tenant, make_post, app):
    a = make_tenant("clinic-a", name="Alpha Clinic")
    b = make_tenant("clinic-b", name="Beta Clinic")
    make_post(a, "alpha-only", title="Alpha secret post", tags=("alpha-tag",), body="Alpha words")
    make_post(b, "beta-only", title="Beta post", tags=("beta-tag",), body="Beta words")
    with app.app_context():
        saved(
            Location(
                tenant_id=a.id,
                slug="alpha-annex",
                name="Alpha Annex",
                street="2 Side St",
                city="Town",
                country="GB",
                timezone="Europe/London",
                position=1,
            )
        )
        saved(Practitioner(tenant_id=a.id, slug="alpha-person", name="Alpha Person"))
    return a, b


@pytest.mark.parametrize("endpoint", sorted(OWNED_URLS))
def test_other_clinics_objects_are_404(two_clinics, client_for, endpoint):
    a, b = two_clinics
    url = OWNED_URLS[endpoint].format(
        post="alpha-only", tag="alpha-tag", location="alpha-annex", practitioner="alpha-person"
    )
    assert client_for(a).get(url).status_code == 200
    response = client_for(b).get(url)
    assert response.status_code == 404
    assert "Alpha" not in response.text


@pytest.mark.parametrize("endpoint", sorted(SHARED_URLS))
def test_shared_routes_show_only_own_content(two_clinics, client_for, endpoint):
    a, b = two_clinics
    response = client_for(b).get(SHARED_URLS[endpoint])
    if endpoint == "site.brand_asset":
        assert response.status_code == 404  # clinic-b has no bundle folder, so no logo
        return
    assert response.status_code == 200
    if endpoint == "site.og_image":  # a picture of the clinic's own name, not the other's
        assert response.data != client_for(a).get(SHARED_URLS[endpoint]).data
        return
    body = response.text
    for leaked in ("Alpha", "alpha-only", "alpha-tag", "clinic-a.test"):
        assert leaked not in body


def test_brand_assets_come_from_the_clinics_own_bundle(demo, client_for):
    with (
        client_for("acute-acupuncture.localhost").get("/brand/logo.svg") as acute,
        client_for("zak-clinic.localhost").get("/brand/logo.svg") as zak,
    ):
        assert acute.status_code == zak.status_code == 200
        assert acute.data != zak.data
    traversal = client_for("zak-clinic.localhost").get("/brand/../../acute-acupuncture/tenant.toml")
    assert traversal.status_code == 404


def test_database_refuses_to_link_rows_of_two_clinics(two_clinics, app):
    """Composite foreign keys: an A post cannot carry a B tag, B hours cannot hang off A's location."""
    a, b = two_clinics
    with app.app_context():
        post_a = db.session.scalars(select(Post).filter_by(tenant_id=a.id)).one()
        tag_b = db.session.scalars(select(Tag).filter_by(tenant_id=b.id)).one()
        with pytest.raises(IntegrityError):
            db.session.execute(
                insert(post_tag).values(tenant_id=a.id, post_id=post_a.id, tag_id=tag_b.id)
            )
            db.session.flush()
        db.session.rollback()
        location_a = db.session.scalars(select(Location).filter_by(tenant_id=a.id)).first()
        db.session.add(
            OpeningHours(
                tenant_id=b.id, location_id=location_a.id, weekday=0, opens=time(9), closes=time(10)
            )
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
