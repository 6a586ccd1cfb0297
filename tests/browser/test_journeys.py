"""A visitor's journeys in a real Chromium, on both clinics, at 1280 px and at 390 px."""

from __future__ import annotations

import re

import pytest

from tests.browser.audit_pages import CLINICS

pytestmark = pytest.mark.browser

CLINIC_NAMES = {"acute-acupuncture": "Acute Acupuncture", "zak-clinic": "Zak Clinic"}


def assert_healthy(page) -> None:
    """No console errors (CSP violations included) and no sideways scrolling."""
    assert page.console.errors == [], page.console.errors
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def follow(page, locator, url_pattern: str) -> None:
    locator.scroll_into_view_if_needed()
    with page.expect_navigation():
        locator.click()
    assert re.search(url_pattern, page.url), page.url
    assert_healthy(page)


@pytest.mark.parametrize("clinic", list(CLINICS))
def test_reader_journey(demo, live_server, page, clinic):
    """Home -> a post -> "Recent posts" -> "See all" -> FAQ -> contact."""
    page.goto(live_server.url(CLINICS[clinic]))
    assert CLINIC_NAMES[clinic] in page.locator("h1").inner_text()
    assert_healthy(page)

    latest = page.locator("section[aria-labelledby=latest-heading] article a").first
    title = latest.inner_text()
    follow(page, latest, r"/blog/[a-z0-9-]+$")
    assert page.locator("h1").inner_text() == title
    first_post = page.url

    recent = page.get_by_role("complementary", name="Recent posts")
    follow(page, recent.get_by_role("link").first, r"/blog/[a-z0-9-]+$")
    assert page.url != first_post
    assert page.locator("article.post h1").is_visible()

    follow(page, page.get_by_role("link", name="See all", exact=True), r"/blog$")
    assert page.locator("main article").count() >= 3

    nav = page.get_by_role("navigation", name="Main")
    follow(page, nav.get_by_role("link", name="FAQ"), r"/faq$")
    assert page.locator("h1").is_visible()
    follow(page, nav.get_by_role("link", name="Contact"), r"/contact$")
    assert page.locator("address").first.is_visible()
    assert page.locator("a[href^='tel:']").first.is_visible()


# --- BOOKING: the end-to-end booking scenario goes here when `booking.start` exists ---
# test_book_free_consultation(demo, live_server, page, clinic): open the home page,
# follow "Book", choose the free consultation and a slot, fill the details, confirm,
# see the confirmation; and the same with the keyboard alone (Tab, Enter, Space).


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            return {
                tag: el.tagName, text: (el.innerText || '').trim(), href: el.getAttribute('href'),
                outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
                boxShadow: style.boxShadow,
                visible: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
                         && box.left < window.innerWidth,
            };
        }"""
    )


def tab_to(page, predicate, limit: int = 80) -> dict:
    """Press Tab until the focused element satisfies `predicate`; check focus is visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = focused(page)
        assert state["visible"], f"focus went to an off-screen element: {state}"
        assert (state["outlineStyle"] != "none" and state["outlineWidth"] >= 2) or (
            state["boxShadow"] != "none"
        ), f"no visible focus indicator on {state}"
        if predicate(state):
            return state
    raise AssertionError(f"Tab never reached the wanted element on {page.url}")


@pytest.mark.parametrize("clinic", list(CLINICS))
def test_keyboard_only_reader(demo, live_server, page, clinic):
    """Tab and Enter alone: skip link, a post, "See all", FAQ; focus always visible."""
    page.goto(live_server.url(CLINICS[clinic]))

    skip = tab_to(page, lambda s: True)
    assert skip["text"] == "Skip to content"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#main$"))  # same-document navigation: wait, don't race

    post_link = tab_to(page, lambda s: (s["href"] or "").startswith("/blog/"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(post_link["href"])

    tab_to(page, lambda s: s["text"] == "See all")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/blog")

    tab_to(page, lambda s: s["text"] == "FAQ")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/faq")
    assert_healthy(page)
