"""What Chromium really fetches for a post page: under 60 KB, nothing from other hosts."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.audit_pages import CLINICS, SAMPLE_POST

pytestmark = pytest.mark.browser
BUDGET = 60 * 1024


@pytest.mark.parametrize("clinic", list(CLINICS))
def test_post_page_transfer_in_a_real_browser(demo, live_server, page, clinic):
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
    assert {"document", "stylesheet"} <= kinds, fetched
    total = sum(size for _, _, size in fetched)
    assert total < BUDGET, f"{total} bytes: {fetched}"
