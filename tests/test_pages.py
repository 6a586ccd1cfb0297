"""What a visitor sees on each public page of a clinic."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from meridian.extensions import db
from meridian.models import Faq
from meridian.themes import THEMES


@pytest.mark.parametrize("theme", list(THEMES))
def test_home_has_pitch_services_posts_locations_and_booking_cta(
    demo, client_for, set_theme, theme
):
    set_theme("acute-acupuncture", theme)
    html = client_for("acute-acupuncture.localhost").get("/").text
    assert f'<body class="theme-{theme} page-home">' in html
    assert '<h1 id="hero-title">Acute Acupuncture</h1>' in html
    assert "Free 15-minute consultation" in html and "Free" in html
    assert "$120.00" in html  # NZD price in the clinic's locale
    assert "Latest from the blog" in html
    # People read "Wellington time", not an IANA zone name.
    assert "163 The Terrace" in html and "Wellington time" in html
    assert "Pacific/Auckland" not in html.split("</head>")[1]
    assert "Book a free 15-minute consultation" in html
    assert 'href="tel:+6444721630"' in html  # the quieter second action


def test_blog_paginates_newest_first(make_tenant, make_post, client_for, app):
    tenant = make_tenant()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(12):
        make_post(tenant, f"post-{n:02d}", published_at=start + timedelta(days=n))
    client = client_for(tenant)
    first = client.get("/blog").text
    assert first.index("Post 11") < first.index("Post 10")
    assert "Post 01" not in first and 'rel="next" href="/blog?page=2"' in first
    second = client.get("/blog?page=2").text
    assert "Post 01" in second and "Post 00" in second and "Post 11" not in second
    assert "Page 2 of 2" in second
    for bad in ("99", "3", "0", "02", "abc", "-1", "1.5"):
        assert client.get(f"/blog?page={bad}").status_code == 404, bad


def test_tag_page_filters(make_tenant, make_post, client_for):
    tenant = make_tenant()
    make_post(tenant, "sleepy", title="About sleep", tags=("sleep",))
    make_post(tenant, "achy", title="About pain", tags=("pain",))
    make_post(tenant, "soon", tags=("secret-launch",), published_at=None)
    html = client_for(tenant).get("/blog/tag/sleep").text
    assert "About sleep" in html and "About pain" not in html
    assert client_for(tenant).get("/blog/tag/nothing").status_code == 404
    # A tag used only by a draft is not public: no page, no sitemap entry.
    assert client_for(tenant).get("/blog/tag/secret-launch").status_code == 404
    assert "secret-launch" not in client_for(tenant).get("/sitemap.xml").text


def test_post_page_has_everything_a_reader_needs(demo, client_for):
    client = client_for("zak-clinic.localhost")
    html = client.get("/blog/can-acupuncture-help-with-hay-fever").text
    assert "<h1>Can acupuncture help with hay fever?</h1>" in html
    assert "min read" in html and "<time datetime=" in html
    assert "Medical disclaimer" in html
    assert "Book a free 15-minute consultation" in html
    assert "Recent posts" in html and ">See all</a>" in html
    assert (
        "https://www.facebook.com/sharer/sharer.php?u=http%3A%2F%2Fzak-clinic.localhost%2Fblog%2F"
        in html
    )
    # No third-party script: the only one is our own, small, deferred engage.js.
    assert re.findall(r'<script src="([^"]+)"', html) == ["/static/js/engage.js"]


def test_drafts_and_scheduled_posts_are_not_public(make_tenant, make_post, client_for):
    tenant = make_tenant()
    make_post(tenant, "draft", published_at=None)
    make_post(tenant, "future", published_at=datetime.now(UTC) + timedelta(days=3))
    client = client_for(tenant)
    assert client.get("/blog/draft").status_code == 404
    assert client.get("/blog/future").status_code == 404
    listing = (
        client.get("/blog").text + client.get("/feed.xml").text + client.get("/sitemap.xml").text
    )
    assert "/blog/draft" not in listing and "/blog/future" not in listing


def test_faq_lists_questions_in_order(make_tenant, client_for, app):
    tenant = make_tenant()
    with app.app_context():
        db.session.add_all(
            [
                Faq(tenant_id=tenant.id, position=1, question="Second?", answer_html="<p>B</p>"),
                Faq(tenant_id=tenant.id, position=0, question="First?", answer_html="<p>A</p>"),
            ]
        )
        db.session.commit()
    html = client_for(tenant).get("/faq").text
    assert html.index("First?") < html.index("Second?")


def test_contact_page_per_location(demo, client_for):
    client = client_for("zak-clinic.localhost")
    html = client.get("/contact").text
    assert 'href="tel:+447967525168"' in html
    assert "Warwick Pharmacy, 34-36 Warwick Way" in html and "Islington" in html
    assert "openstreetmap.org" in html and "<iframe" not in html
    assert "London time" in html and "Monday" in html
    assert "Europe/London" not in html.split("</head>")[1]
    single = client.get("/contact/pimlico").text
    main = single.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    assert "Warwick Way" in main and "Upper Street" not in main


def test_footer_has_address_phone_social_and_copyright(demo, client_for):
    html = client_for("acute-acupuncture.localhost").get("/faq").text
    footer = html.split('<footer class="site-footer">', 1)[1]
    assert "163 The Terrace" in footer and "tel:" in footer
    for network in ("LinkedIn", "Pinterest", "Instagram", "X (Twitter)", "Facebook"):
        assert network in footer
    assert "© " in footer and "Acute Acupuncture" in footer


def test_hours_are_shown_in_the_clinics_locale(demo, client_for):
    nz = client_for("acute-acupuncture.localhost").get("/contact").text
    uk = client_for("zak-clinic.localhost").get("/contact").text
    assert "am" in nz.lower() or "pm" in nz.lower()  # en_NZ: 12-hour clock
    assert "09:" in uk or "10:" in uk  # en_GB: 24-hour clock


def test_error_page_is_branded_and_helpful(demo, client_for):
    response = client_for("zak-clinic.localhost").get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.text and "Zak Clinic" in response.text
