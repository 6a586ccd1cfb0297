"""What Chromium really fetches for a post page, in every theme: HTML, CSS, fonts and
icons under 100 KB, nothing from another host. Photographs (`/media/…`) are weighed
apart; the figures of each run are written to test-artifacts/weights/."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from meridian.themes import THEMES
from tests.browser.audit_pages import CLINICS, SAMPLE_POST
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser
BUDGET = 100 * 1024


@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize("clinic", list(CLINICS))
def test_post_page_transfer_in_a_real_browser(
    demo, set_theme, live_server, page, viewport, clinic, theme
):
    set_theme(clinic, theme)
    fetched: list[tuple[str, str, int]] = []

    def record(request):
        sizes = request.sizes()
        fetched.append(
            (
                request.resource_type,
                request.url,
                sizes["responseBodySize"] + sizes["responseHeadersSize"],
            )
        )

    page.on("requestfinished", record)
    page.goto(live_server.url(CLINICS[clinic], f"/blog/{SAMPLE_POST[clinic]}"))
    page.wait_for_load_state("networkidle")
    hosts = {urlsplit(url).hostname for _, url, _ in fetched if not url.startswith("data:")}
    assert hosts == {CLINICS[clinic]}, fetched
    kinds = {kind for kind, _, _ in fetched}
    assert {"document", "stylesheet", "font"} <= kinds, fetched
    photos = [
        (url, size) for kind, url, size in fetched if urlsplit(url).path.startswith("/media/")
    ]
    assert photos, "the sample post has a cover photograph"
    total = sum(size for _, url, size in fetched if not urlsplit(url).path.startswith("/media/"))
    folder = ARTIFACTS / "weights"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"post-{clinic}-{theme}-{viewport}.json").write_text(
        json.dumps(
            {"page_bytes": total, "photo_bytes": sum(s for _, s in photos), "requests": fetched},
            indent=1,
        )
    )
    assert total < BUDGET, f"{total} bytes: {fetched}"
