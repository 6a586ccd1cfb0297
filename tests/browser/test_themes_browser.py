"""Each theme in a real browser: the home and post pages at 1280 px and 390 px, with
all photographs and with none. Screenshots of every one are saved to
test-artifacts/screenshots/ (look at them: that is the point), and each page must
have no console error (CSP included), no sideways scrolling, the booking button in
the first screen, and photographs that are really responsive."""

from __future__ import annotations

import re

import pytest

from meridian.themes import THEMES
from tests.browser.audit_pages import CLINICS, SAMPLE_POST
from tests.browser.conftest import ARTIFACTS, VIEWPORTS

pytestmark = pytest.mark.browser
SHOTS = ARTIFACTS / "screenshots"
#: The demo clinic shown in each theme's screenshots.
SHOWN_IN = {"calm": "acute-acupuncture", "warm": "acute-acupuncture", "classic": "zak-clinic"}


def check_and_shoot(page, name: str) -> None:
    """At each width: healthy, primary action visible without scrolling, a screenshot."""
    for label, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        page.evaluate("window.scrollTo(0, 0)")
        assert page.console.errors == [], page.console.errors
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {label}"
        book = page.get_by_role("navigation", name="Main").get_by_role("link", name="Book")
        box = book.bounding_box()
        assert box is not None and box["y"] + box["height"] <= size["height"], label
        load_lazy_images(page)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}-{size['width']}.png"), full_page=True)


def load_lazy_images(page) -> None:
    """Scroll through the page so the lazy photographs below the fold load (as a
    reader's scrolling would), then back to the top, for a full-page screenshot."""
    page.evaluate(
        """async () => {
            for (let y = 0; y < document.body.scrollHeight; y += window.innerHeight / 2) {
                window.scrollTo(0, y);
                await new Promise(r => setTimeout(r, 40));
            }
            window.scrollTo(0, 0);
        }"""
    )
    page.wait_for_load_state("networkidle")
    page.wait_for_function("[...document.images].every(img => img.complete)")


@pytest.mark.parametrize("theme", list(THEMES))
def test_theme_home_and_post_with_photographs(demo, set_theme, live_server, browser, theme):
    clinic = SHOWN_IN[theme]
    set_theme(clinic, theme)
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    page.console = Console(page)
    try:
        page.goto(live_server.url(CLINICS[clinic]))
        hero = page.locator(".hero img[srcset]")
        assert hero.count() == 1 and hero.get_attribute("alt")
        assert hero.get_attribute("fetchpriority") == "high"  # the first screen's image
        assert page.locator(".latest img[loading=lazy][srcset][width][height]").count() == 3
        loaded = page.evaluate(
            "document.fonts.ready.then(() => [...document.fonts].filter(f => f.status === 'loaded')"
            ".map(f => f.family))"
        )
        assert loaded, "the theme's self-hosted web fonts were used"
        check_and_shoot(page, f"{theme}-{clinic}-home")
        page.goto(live_server.url(CLINICS[clinic], f"/blog/{SAMPLE_POST[clinic]}"))
        cover = page.locator(".post-cover img")
        assert cover.get_attribute("sizes") and cover.get_attribute("alt")
        check_and_shoot(page, f"{theme}-{clinic}-post")
        # The phone got a narrow copy of the cover, not the widest one.
        chosen = cover.evaluate("img => img.currentSrc")
        assert re.search(r"-(400|800)w-[0-9a-f]+\.webp$", chosen), chosen
    finally:
        context.close()


@pytest.mark.parametrize("theme", list(THEMES))
def test_theme_home_without_photographs(
    demo, set_theme, remove_photos, live_server, browser, theme
):
    clinic = SHOWN_IN[theme]
    set_theme(clinic, theme)
    remove_photos(clinic)
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    page.console = Console(page)
    try:
        page.goto(live_server.url(CLINICS[clinic]))
        assert page.locator("img[srcset]").count() == 0
        ornament = page.locator(".hero .ornament")
        box = ornament.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 100  # not empty
        check_and_shoot(page, f"{theme}-{clinic}-home-no-photos")
        page.goto(live_server.url(CLINICS[clinic], "/blog"))
        assert page.locator(".post-card-media.no-photo .ornament").count() >= 3
        check_and_shoot(page, f"{theme}-{clinic}-blog-no-photos")
    finally:
        context.close()


def test_platform_front_page(demo, live_server, browser):
    """Meridian's own front page with the clinics' directory: healthy at both widths,
    each clinic's booking link visible, screenshots saved."""
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    page.console = Console(page)
    try:
        page.goto(live_server.url("localhost"))
        for label, size in VIEWPORTS.items():
            page.set_viewport_size(size)
            assert page.console.errors == [], page.console.errors
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"the front page scrolls sideways by {overflow}px at {label}"
            for name in ("Acute Acupuncture", "Zak Clinic"):
                assert page.get_by_role("link", name=f"Book at {name}").is_visible()
            load_lazy_images(page)
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"platform-home-{size['width']}.png"), full_page=True)
    finally:
        context.close()


class Console:
    def __init__(self, page) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
