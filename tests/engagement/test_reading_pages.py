"""The forms live on reading pages that stay cookie-free, byte-stable and 304-able."""

from __future__ import annotations

import pytest

from meridian.extensions import cache

from ..browser.audit_pages import CLINICS, SAMPLE_POST

PAGES = ["/blog/{post}", "/blog", "/contact", "/"]


@pytest.mark.parametrize("clinic", sorted(CLINICS))
@pytest.mark.parametrize("path", PAGES)
def test_pages_with_forms_set_no_cookie_and_answer_304(demo, client_for, clinic, path):
    client = client_for(CLINICS[clinic])
    url = path.format(post=SAMPLE_POST[clinic])
    first = client.get(url)
    assert first.status_code == 200
    assert "Set-Cookie" not in first.headers
    assert first.cache_control.public
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and "Set-Cookie" not in again.headers
    # Rendered again from scratch, the page is byte for byte the same: no token, no
    # timestamp in the forms, so the ETag only changes when the content does.
    cache.clear()
    assert client.get(url).headers["ETag"] == first.headers["ETag"]


@pytest.mark.parametrize("clinic", sorted(CLINICS))
def test_the_post_page_carries_every_reader_form(demo, client_for, clinic):
    html = client_for(CLINICS[clinic]).get(f"/blog/{SAMPLE_POST[clinic]}").text
    for marker in (
        'action="/comments/',
        'action="/likes/',
        'action="/subscribe"',
        'name="stamp" value=""',
        'class="hp" hidden',
        "Share this article",
        "Copy link",
    ):
        assert marker in html, marker
    assert "csrf_token" not in html


def test_a_reader_who_liked_still_gets_no_cookie_and_a_304(demo, client_for):
    client = client_for(CLINICS["zak-clinic"])
    url = f"/blog/{SAMPLE_POST['zak-clinic']}"
    assert client.post(f"/likes/{SAMPLE_POST['zak-clinic']}").status_code == 303
    page = client.get(url)
    assert "Set-Cookie" not in page.headers and "1 like" in page.text
    assert client.get(url, headers={"If-None-Match": page.headers["ETag"]}).status_code == 304


def test_share_links_follow_the_clinics_networks(demo, client_for):
    acute = client_for(CLINICS["acute-acupuncture"]).get(
        f"/blog/{SAMPLE_POST['acute-acupuncture']}"
    )
    zak = client_for(CLINICS["zak-clinic"]).get(f"/blog/{SAMPLE_POST['zak-clinic']}")
    assert "pinterest.com/pin/create" in acute.text and "linkedin.com/sharing" in acute.text
    assert "pinterest.com" not in zak.text and "linkedin.com" not in zak.text
    for page in (acute, zak):
        assert "facebook.com/sharer" in page.text and "mailto:?subject=" in page.text
        assert "/static/img/engage.svg#" in page.text  # our own icons, no third-party host
        assert "instagram.com/share" not in page.text


def test_engagement_endpoints_are_never_cached(clinic, client_for):
    client = client_for(clinic)
    for url in ("/subscribe", "/subscribe/sent", "/form-stamp?form=comment", "/message/sent"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "private, no-store", url
        assert "Set-Cookie" not in response.headers
    assert client.get("/form-stamp?form=other").status_code == 404
