"""Small things a visitor (or a crawler, or a social network) sees."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import feedparser
from PIL import Image

from meridian.bundles import load_bundle
from meridian.extensions import db
from meridian.models import Post

ROOT = Path(__file__).resolve().parents[1]
ZAK = "zak-clinic.localhost"
DRY_EYE = "can-acupuncture-help-with-dry-eye"  # published: 2025-01-28T10:00:00+00:00


def lastmods(xml: str) -> dict[str, str]:
    return dict(re.findall(r"<loc>[^<]*/blog/([^<]+)</loc><lastmod>([^<]+)</lastmod>", xml))


def test_sitemap_and_feed_dates_are_the_posts_not_the_load_time(demo, client_for):
    client = client_for(ZAK)
    assert lastmods(client.get("/sitemap.xml").text)[DRY_EYE] == "2025-01-28T10:00:00+00:00"
    feed = feedparser.parse(client.get("/feed.xml").data)
    entry = next(e for e in feed.entries if e.link.endswith(DRY_EYE))
    assert entry.updated.startswith("2025-01-28T10:00:00")
    assert entry.published.startswith("2025-01-28T10:00:00")
    newest = max(e.updated for e in feed.entries)
    assert feed.feed.updated == newest
    assert str(datetime.now(UTC).date()) not in feed.feed.updated


def test_an_updated_date_in_front_matter_is_used_and_a_reload_keeps_it(app, tmp_path):
    bundle = tmp_path / "zak-clinic"
    shutil.copytree(ROOT / "tenants" / "zak-clinic", bundle)
    post = bundle / "posts" / f"{DRY_EYE}.md"
    text = post.read_text()
    post.write_text(text.replace("published: ", "updated: 2025-03-02T09:30:00+00:00\npublished: "))
    with app.app_context():
        load_bundle(bundle)
        row = db.session.scalars(db.select(Post).filter_by(slug=DRY_EYE)).one()
        assert row.updated_at == datetime(2025, 3, 2, 9, 30, tzinfo=UTC)
        # Editing the body (same dates) keeps the front matter's date, not "now".
        post.write_text(post.read_text() + "\nOne more sentence.\n")
        load_bundle(bundle)
        db.session.expire_all()
        row = db.session.scalars(db.select(Post).filter_by(slug=DRY_EYE)).one()
        assert row.updated_at == datetime(2025, 3, 2, 9, 30, tzinfo=UTC)
        assert "One more sentence." in row.body_md


def test_the_platform_host_has_robots_and_a_sitemap(demo, client_for):
    client = client_for("localhost")
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots.mimetype == "text/plain"
    assert "Sitemap: http://localhost/sitemap.xml" in robots.text.splitlines()
    assert "Disallow: /admin" in robots.text
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200 and sitemap.mimetype == "application/xml"
    assert "<loc>http://localhost/</loc>" in sitemap.text
    assert "zak-clinic" not in sitemap.text  # a sitemap lists its own host only
    # The clinics keep theirs.
    assert "zak-clinic.localhost/sitemap.xml" in client_for(ZAK).get("/robots.txt").text


def test_the_open_graph_image_is_a_png_card_with_its_size(demo, client_for):
    client = client_for(ZAK)
    for path in ("/", f"/blog/{DRY_EYE}", "/faq"):
        html = client.get(path).text
        image = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
        assert image == "http://zak-clinic.localhost/og.png", path
        assert '<meta property="og:image:width" content="1200">' in html
        assert '<meta property="og:image:height" content="630">' in html
        assert '<meta property="og:image:type" content="image/png">' in html
        assert ".svg" not in image
    first = client.get("/og.png")
    assert first.status_code == 200 and first.mimetype == "image/png"
    assert "Set-Cookie" not in first.headers and first.headers["ETag"]
    with Image.open(BytesIO(first.data)) as card:
        assert card.format == "PNG" and card.size == (1200, 630)
        # The clinic's brand colour fills the card.
        primary = demo["zak-clinic"].brand_primary.lstrip("#")
        expected = tuple(int(primary[i : i + 2], 16) for i in (0, 2, 4))
        assert card.convert("RGB").getpixel((5, 5)) == expected
    again = client.get("/og.png")
    assert again.headers["X-Page-Cache"] == "hit" and again.data == first.data
    assert (
        client.get("/og.png", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    )
