"""The platform's own host (issue 19): Meridian's front page with the directory of
clinics (locations, a link to book at each), and its own robots.txt and sitemap.xml.
A reading page like the clinics': no cookie, cache validators."""

from __future__ import annotations

import re

PLATFORM = "localhost"


def test_front_page_says_what_meridian_offers_and_lists_each_clinic(demo, client_for):
    response = client_for(PLATFORM).get("/")
    assert response.status_code == 200
    html = response.text
    assert "<h1" in html and "Websites and online booking for acupuncture clinics" in html
    assert 'id="offer"' in html and "Private by design" in html
    for tenant in demo.values():
        host = tenant.primary_host
        assert f'<a href="http://{host}/">{tenant.name}</a>' in html
        assert f'href="http://{host}/book">Book at {tenant.name}</a>' in html
        for location in tenant.locations:
            assert location.name in html and location.address_lines[0] in html
    # Nothing from a clinic's host is loaded here (no request to another host).
    assert not re.search(r'(src|href)="http://[^"]+\.(css|js|svg|png|jpg|woff2)', html)


def test_a_suspended_clinic_is_not_listed(demo, client_for, app):
    from meridian.extensions import db
    from meridian.models import Tenant

    with app.app_context():
        db.session.scalars(
            db.select(Tenant).filter_by(slug="zak-clinic")
        ).one().status = "suspended"
        db.session.commit()
    html = client_for(PLATFORM).get("/").text
    assert "Zak Clinic" not in html and "Acute Acupuncture" in html


def test_front_page_sets_no_cookie_and_answers_304_to_its_etag(demo, client_for):
    client = client_for(PLATFORM)
    first = client.get("/")
    assert "Set-Cookie" not in first.headers
    assert "public" in first.headers["Cache-Control"] and first.headers.get("ETag")
    again = client.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and "Set-Cookie" not in again.headers


def test_platform_robots_and_sitemap_are_its_own(demo, client_for):
    client = client_for(PLATFORM)
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots.mimetype == "text/plain"
    assert "Disallow: /admin" in robots.text
    assert "Sitemap: http://localhost/sitemap.xml" in robots.text
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200 and sitemap.mimetype == "application/xml"
    assert "<loc>http://localhost/</loc>" in sitemap.text
    assert "Set-Cookie" not in robots.headers and "Set-Cookie" not in sitemap.headers
    # A clinic's host keeps its own.
    clinic = client_for("zak-clinic.localhost")
    assert "Sitemap: http://zak-clinic.localhost/sitemap.xml" in clinic.get("/robots.txt").text
    assert "/blog/" in clinic.get("/sitemap.xml").text


def test_clinic_logo_has_its_size_so_the_header_does_not_move(demo, client_for):
    # Zak Clinic's logo.svg is 220 × 64: shown 48 px high, it is 165 px wide.
    html = client_for("zak-clinic.localhost").get("/").text
    assert '<img src="/brand/logo.svg" alt="Zak Clinic — home" width="165" height="48">' in html
