"""The import's fetcher refuses what could reach inside the platform (SSRF) and keeps to
its limits; the fixture site on loopback is reachable only because the test allows it."""

from __future__ import annotations

import pytest

from meridian.importer.fetch import FetchError, FetchRefused, fetch


def test_a_public_style_fetch_works_when_loopback_is_allowed(import_app, fixture_site):
    fixture_site.add("/feed.xml", "<rss/>", Content_Type="application/rss+xml; charset=utf-8")
    with import_app.app_context():
        got = fetch(fixture_site.url("/feed.xml"))
    assert got.status == 200 and got.text == "<rss/>"
    assert got.charset == "utf-8"


def test_loopback_is_refused_by_default_before_any_request(app, fixture_site):
    fixture_site.add("/feed.xml", "<rss/>")
    with app.app_context():
        for url in (fixture_site.url("/feed.xml"), f"http://localhost:{fixture_site.port}/"):
            with pytest.raises(FetchRefused, match="private or local"):
                fetch(url)
    assert fixture_site.hits == []


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.7/feed.xml",
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
        "http://100.64.0.1/",  # shared address space
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://0.0.0.0/",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(import_app, url):
    with import_app.app_context(), pytest.raises(FetchRefused):
        # ::1 is allowed for the fixture site, so check it without the allowance
        if "[::1]" in url:
            import_app.config["IMPORT_ALLOWED_NETWORKS"] = "127.0.0.0/8"
        fetch(url)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://x/", "http://u:p@example.com/"]
)
def test_only_plain_http_and_https_urls(import_app, url):
    with import_app.app_context(), pytest.raises(FetchRefused):
        fetch(url)


def test_a_redirect_to_a_private_address_is_refused(import_app, fixture_site):
    import_app.config["IMPORT_ALLOWED_NETWORKS"] = "127.0.0.1/32"
    fixture_site.add("/go", "", status=302, Location="http://10.1.2.3/admin")
    with import_app.app_context(), pytest.raises(FetchRefused, match="10.1.2.3"):
        fetch(fixture_site.url("/go"))
    assert fixture_site.hits == ["/go"]


def test_redirects_are_followed_and_capped(import_app, fixture_site):
    fixture_site.add("/a", "", status=301, Location="/b")
    fixture_site.add("/b", "", status=308, Location=fixture_site.url("/c"))
    fixture_site.add("/c", "done")
    fixture_site.add("/loop", "", status=302, Location="/loop")
    with import_app.app_context():
        got = fetch(fixture_site.url("/a"))
        assert got.text == "done" and got.url.endswith("/c")
        with pytest.raises(FetchRefused, match="redirects more than"):
            fetch(fixture_site.url("/loop"))
    assert fixture_site.hits.count("/loop") == 6  # first request + 5 redirects


def test_size_and_time_limits(import_app, fixture_site):
    fixture_site.add("/big", b"x" * 300_000)
    fixture_site.add("/slow", "late", delay=2.5)
    import_app.config["IMPORT_TIMEOUT_SECONDS"] = 1
    with import_app.app_context():
        with pytest.raises(FetchRefused, match="larger than"):
            fetch(fixture_site.url("/big"), max_bytes=100_000)
        assert len(fetch(fixture_site.url("/big"), max_bytes=400_000).body) == 300_000
        with pytest.raises(FetchRefused, match="longer than"):
            fetch(fixture_site.url("/slow"))


def test_error_answers_are_errors(import_app, fixture_site):
    with import_app.app_context(), pytest.raises(FetchError, match="404"):
        fetch(fixture_site.url("/missing"))
