"""A visitor's journeys in a real Chromium, on both clinics, at 1280 px and at 390 px."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_time

from meridian.booking.messages import when_text
from tests.browser.audit_pages import CLINICS, DEMO_THEME
from tests.browser.booking_steps import (
    FREE_CONSULTATION,
    PHONES,
    Facts,
    another_day,
    booking_facts,
    day_links,
    offered_start,
)

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


#: Every theme walked once per width: each clinic in its own theme, and the third theme
#: (worn by neither demo clinic) on one of them. The audits cover every combination.
THEMED_CLINICS = [
    pytest.param(clinic, theme, id=f"{clinic}-{theme}")
    for clinic, theme in [*DEMO_THEME.items(), ("acute-acupuncture", "warm")]
]


@pytest.mark.parametrize(("clinic", "theme"), THEMED_CLINICS)
def test_reader_journey(demo, set_theme, live_server, page, clinic, theme):
    """Home -> a post -> "Recent posts" -> "See all" -> FAQ -> contact."""
    set_theme(clinic, theme)
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


# --- BOOKING: the free consultation, end to end, with the mouse and with the keyboard ---


def assert_choose_step(page, facts: Facts) -> None:
    assert page.get_by_role("heading", name="Book an appointment", level=1).is_visible()
    locations = page.get_by_role("group", name="Which location?")
    assert locations.count() == (1 if facts.location_count > 1 else 0)


def assert_first_day_shown(page) -> None:
    days = day_links(page)
    assert days.count() >= 1
    assert days.first.get_attribute("aria-current") == "date"


def clear_time(page, facts: Facts):
    """The first offered time of the shown day that is clear of the minimum-notice edge
    (nearly always the very first), or None if the day has none."""
    edge = facts.clear_of_notice_edge()
    for radio in page.locator("input[name=start]").all():
        start = datetime.fromisoformat(radio.get_attribute("value"))
        if start >= edge:
            return radio, start
    return None


#: Unbroken words as long as the form allows: they must not widen the page at 390 px.
LONG_NAME = "Wolfeschlegelsteinhausenbergerdorff" * 3
LONG_EMAIL = "augusta.ada.king.countess.of.lovelace.analytical.engine@example.com"


def fill_details(page, clinic: str, name: str = "Ada Lovelace", email: str = "ada@example.com"):
    page.get_by_label("Your name").fill(name)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Phone number").fill(PHONES[clinic])
    page.get_by_label("I agree that the clinic stores").check()


def assert_confirmed(page, facts: Facts, clinic: str, start: datetime) -> None:
    """The confirmation names the clinic, the location's address and the local time."""
    assert re.search(r"/book/confirmed/[^/]+$", page.url), page.url
    assert page.get_by_role("heading", name="You're booked", level=1).is_visible()
    summary = page.locator("dl.booking-summary")
    assert summary.is_visible()
    text = summary.inner_text()
    assert facts.clinic_name in text
    assert facts.location_name in text
    for line in facts.address_lines:
        assert line in text, (line, text)
    when = summary.locator("dt", has_text="When").locator("xpath=following-sibling::dd[1]")
    when_shown = when.inner_text().strip()
    assert when_shown == when_text(start, facts.timezone, facts.locale, facts.place)
    assert when_shown.endswith(f"({facts.place})"), when_shown
    assert re.search(r" at \d{1,2}:\d{2}(\s?[ap]m)? \(", when_shown), when_shown
    assert_healthy(page)


@pytest.mark.parametrize("clinic", list(CLINICS))
def test_book_free_consultation(demo, app, live_server, page, clinic):
    """Home -> "Book" -> location and free consultation -> first day and time -> details
    -> confirmation with the clinic, the address and the local time with its zone."""
    facts = booking_facts(app, clinic)
    page.goto(live_server.url(CLINICS[clinic]))
    assert_healthy(page)
    nav = page.get_by_role("navigation", name="Main")
    follow(page, nav.get_by_role("link", name="Book", exact=True), r"/book$")
    assert_choose_step(page, facts)

    if facts.location_count > 1:
        page.get_by_role("group", name="Which location?").get_by_role("radio").first.check()
    page.get_by_role("group", name="Which service?").get_by_role(
        "radio", name=re.compile("^" + re.escape(FREE_CONSULTATION))
    ).check()
    follow(page, page.get_by_role("button", name="Show free times"), r"/book\?")
    assert_first_day_shown(page)
    assert facts.place in page.locator("fieldset.times legend").inner_text()

    choice = clear_time(page, facts)
    while choice is None:  # the shown day's times are too close to book: a later day
        follow(page, another_day(page), r"/book\?.*(day|week)=")
        choice = clear_time(page, facts)
    assert choice is not None
    radio, start = choice
    radio.check()
    local = start.astimezone(ZoneInfo(facts.timezone))
    shown = radio.locator("xpath=following-sibling::time[1]").inner_text()
    assert shown == format_time(local, "short", locale=facts.locale), (shown, start)
    follow(page, page.get_by_role("button", name="Continue"), r"/book/details\?")

    fill_details(page, clinic, LONG_NAME, LONG_EMAIL)
    follow(page, page.get_by_role("button", name="Book this appointment"), r"/book/confirmed/")
    assert_confirmed(page, facts, clinic, start)  # also: no sideways scrolling at 390 px
    assert LONG_NAME in page.locator("main").inner_text()


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            return {
                tag: el.tagName, text: (el.innerText || '').trim(), href: el.getAttribute('href'),
                name: el.getAttribute('name'), type: el.getAttribute('type'),
                checked: !!el.checked, value: el.value === undefined ? null : el.value,
                label: el.labels && el.labels.length ? el.labels[0].innerText.trim() : '',
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


@pytest.mark.parametrize(("clinic", "theme"), THEMED_CLINICS)
def test_keyboard_only_reader(demo, set_theme, live_server, page, clinic, theme):
    """Tab and Enter alone: skip link, a post, "See all", FAQ; focus always visible."""
    set_theme(clinic, theme)
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


def keyboard_follow(page, predicate, limit: int = 80) -> dict:
    """Tab to the wanted link or button (focus visible on the way), press Enter, land."""
    state = tab_to(page, predicate, limit)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_healthy(page)
    return state


def keyboard_choose(page, name: str) -> dict:
    """Tab into a radio group or onto a checkbox and tick it with Space."""
    state = tab_to(page, lambda s: s["name"] == name)
    page.keyboard.press("Space")
    assert focused(page)["checked"], f"Space did not tick {state}"
    return state


def keyboard_type(page, name: str, text: str) -> None:
    tab_to(page, lambda s: s["name"] == name)
    page.keyboard.type(text)


@pytest.mark.parametrize(
    ("clinic", "viewport"), [("acute-acupuncture", "phone"), ("zak-clinic", "desktop")]
)
def test_keyboard_only_booking(demo, app, live_server, page, clinic):
    """The free consultation with Tab, Enter and Space alone; focus always visible."""
    facts = booking_facts(app, clinic)
    page.goto(live_server.url(CLINICS[clinic]))

    keyboard_follow(page, lambda s: s["text"] == "Book" and s["tag"] == "A")
    assert re.search(r"/book$", page.url), page.url
    assert_choose_step(page, facts)

    if facts.location_count > 1:
        location = keyboard_choose(page, "location")
        assert location["label"].startswith(facts.location_name), location
    service = keyboard_choose(page, "service")
    assert service["label"].startswith(FREE_CONSULTATION), service
    keyboard_follow(page, lambda s: s["tag"] == "BUTTON" and s["text"] == "Show free times")
    assert_first_day_shown(page)

    while offered_start(page) < facts.clear_of_notice_edge():
        # The shown day's first time is too close to book reliably: a later day, by
        # keyboard through the week view.
        later = another_day(page).get_attribute("href")
        keyboard_follow(page, lambda s, later=later: s["href"] == later)
    start = offered_start(page)
    # Tab enters the time group on its ticked radio: the first offered time.
    time_radio = tab_to(page, lambda s: s["name"] == "start", limit=150)
    assert time_radio["checked"] and time_radio["value"] == page.locator(
        "input[name=start]:checked"
    ).get_attribute("value")
    keyboard_follow(page, lambda s: s["tag"] == "BUTTON" and s["text"] == "Continue")
    assert "/book/details?" in page.url, page.url

    keyboard_type(page, "name", "Ada Lovelace")
    keyboard_type(page, "email", "ada@example.com")
    keyboard_type(page, "phone", PHONES[clinic])
    keyboard_choose(page, "consent")
    keyboard_follow(page, lambda s: s["tag"] == "BUTTON" and s["text"] == "Book this appointment")
    assert_confirmed(page, facts, clinic, start)


# --- PRACTITIONERS: book with someone from their page; Book buttons carry the choice ---

PRACTITIONER = {"acute-acupuncture": "Daniel Chen", "zak-clinic": "Samira Haddad"}


@pytest.mark.parametrize("clinic", list(CLINICS))
def test_book_with_a_practitioner_from_their_page(demo, app, live_server, page, clinic):
    """Our team -> a practitioner's page -> "Book with …" -> their times -> booked with
    them; and the home page's consultation button arrives with the service chosen."""
    facts = booking_facts(app, clinic)
    person = PRACTITIONER[clinic]
    page.goto(live_server.url(CLINICS[clinic]))
    # The first screen's button (themes repeat it at the end of the home page).
    first = page.get_by_role("link", name=re.compile(r"^Book a free 15-minute")).first
    follow(page, first, r"/book\?")
    assert page.get_by_role("group", name="Which service?").count() == 0
    assert FREE_CONSULTATION in page.locator("dl.booking-summary, main").first.inner_text()

    nav = page.get_by_role("navigation", name="Main")
    follow(page, nav.get_by_role("link", name="Our team"), r"/team$")
    follow(page, page.get_by_role("link", name=person, exact=True), r"/team/[a-z-]+$")
    follow(page, page.get_by_role("link", name=f"Book with {person}"), r"/book\?")
    assert page.get_by_role("heading", name=f"Book an appointment with {person}").is_visible()
    if page.get_by_role("group", name="Which location?").count():
        page.get_by_role("group", name="Which location?").get_by_role("radio").first.check()
    page.get_by_role("group", name="Which service?").get_by_role(
        "radio", name=re.compile("^" + re.escape(FREE_CONSULTATION))
    ).check()
    follow(page, page.get_by_role("button", name="Show free times"), r"/book\?")
    choice = clear_time(page, facts)
    while choice is None:
        follow(page, another_day(page), r"/book\?.*(day|week)=")
        choice = clear_time(page, facts)
    choice[0].check()
    follow(page, page.get_by_role("button", name="Continue"), r"/book/details\?")
    fill_details(page, clinic)
    follow(page, page.get_by_role("button", name="Book this appointment"), r"/book/confirmed/")
    summary = page.locator("dl.booking-summary").inner_text()
    assert person in summary, summary


def test_week_view_with_the_keyboard_alone(demo, app, live_server, page):
    """Next week, then a day of it, then its first time: Tab and Enter only."""
    clinic = "zak-clinic"
    with app.app_context():
        from meridian.extensions import db
        from meridian.models import Location, Service, Tenant

        tenant = db.session.scalars(db.select(Tenant).filter_by(slug=clinic)).one()
        pimlico = db.session.scalars(db.select(Location).filter_by(slug="pimlico")).one().id
        free = (
            db.session.scalars(
                db.select(Service).filter_by(tenant_id=tenant.id, slug="free-consultation")
            )
            .one()
            .id
        )
    page.goto(live_server.url(CLINICS[clinic], f"/book?location={pimlico}&service={free}"))
    week = page.locator(".week-range").inner_text()
    keyboard_follow(page, lambda s: s["text"] == "Next week")
    assert "week=" in page.url and page.locator(".week-range").inner_text() != week
    first_day = day_links(page).first.get_attribute("href")
    keyboard_follow(page, lambda s: s["href"] == first_day)
    assert "day=" in page.url
    assert day_links(page).first.get_attribute("aria-current") == "date"
    radio = tab_to(page, lambda s: s["name"] == "start", limit=150)
    assert radio["checked"]
