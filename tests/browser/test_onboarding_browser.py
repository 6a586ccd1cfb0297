"""End to end in Chromium: an admin onboards "Harbour Physio"; it serves at once on
harbour-physio.localhost; the invitation e-mail's link lets the owner set a password and
reach the studio on that host; the owner writes and publishes a post, which a visitor then
reads on the clinic's site; a visitor books; neither demo clinic's rows changed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from meridian.backup import fingerprint
from meridian.extensions import db
from meridian.models import OutboxMessage
from tests.browser.booking_steps import another_day, booking_facts
from tests.browser.conftest import _open_page
from tests.browser.test_journeys import clear_time, follow
from tests.browser.test_second_factor_browser import assert_clean
from tests.factories import PLATFORM_HOST, plant_session

pytestmark = pytest.mark.browser

HOST = "harbour-physio.localhost"
PASSWORD = "copper kettle morning tide"
TITLE = "Five stretches for a stiff neck"


def _demo_prints(app, demo):
    with app.app_context(), db.engine.connect() as conn:
        prints = fingerprint(conn)
    return {slug: prints[slug] for slug in demo}


def test_an_admin_onboards_a_clinic_its_owner_publishes_and_a_visitor_books(
    app, demo, live_server, page, browser, client_for, make_user, request, viewport
):
    before = _demo_prints(app, demo)
    admin = make_user("root@meridian.test", platform_admin=True)
    client = client_for(PLATFORM_HOST)
    plant_session(client, PLATFORM_HOST, admin, None)
    cookie = client.get_cookie("session", domain=PLATFORM_HOST)
    page.context.add_cookies(
        [{"name": "session", "value": cookie.value, "domain": PLATFORM_HOST, "path": "/"}]
    )

    page.goto(live_server.url(PLATFORM_HOST, "/admin/"))
    follow(page, page.get_by_role("link", name="Onboard a clinic"), r"/admin/clinics/new$")
    assert_clean(page)
    page.get_by_label("Clinic name").fill("Harbour Physio")
    page.get_by_label("Short name (slug)").fill("harbour-physio")
    page.get_by_label("Language and formats").select_option("en_NZ")
    page.get_by_label("Currency").select_option("NZD")
    page.get_by_label("Location name").fill("Harbour Physio Thorndon")
    page.get_by_label("Street address").fill("12 Tinakori Road")
    page.get_by_label("Town or city").fill("Wellington")
    page.get_by_label("Time zone").select_option("Pacific/Auckland")
    for day in ("Saturday", "Sunday"):  # open every day, so a free time is always near
        page.get_by_label(day).check()
    page.get_by_label("Opens at").fill("07:00")
    page.get_by_label("Closes at").fill("21:00")
    page.get_by_label("First practitioner's name").fill("Mere Tane")
    page.get_by_label("Owner's e-mail", exact=True).fill("owner@harbour-physio.example")
    follow(
        page,
        page.get_by_role("button", name="Create the clinic", exact=True),
        r"/admin/clinics/\d+$",
    )
    assert page.get_by_text(f"Harbour Physio is live at {HOST}").is_visible()

    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == "owner@harbour-physio.example")
        ).one()
    origin, path = re.search(
        r"(https?://[^\s/]+)(/studio/invitation/\S+)", message.body_text
    ).groups()
    assert origin == f"http://{HOST}"

    owner_context, owner = _open_page(request, browser, viewport)
    owner.goto(live_server.url(HOST, path))
    owner.get_by_label("Your name").fill("Hana Owner")
    owner.get_by_label("New password", exact=True).fill(PASSWORD)
    owner.get_by_label("New password again").fill(PASSWORD)
    with owner.expect_navigation():
        owner.get_by_role("button", name="Join Harbour Physio").click()
    assert owner.url.endswith("/studio/"), owner.url
    assert "Hana Owner" in owner.content()

    # The new owner's first post, written and published in the studio.
    follow(owner, owner.get_by_role("link", name="Write a new post"), r"/studio/posts/new$")
    owner.get_by_label("Title", exact=True).fill(TITLE)
    owner.get_by_label("Text", exact=True).fill(
        "Sitting at a desk all day? **Five gentle stretches** to try between patients."
    )
    owner.get_by_label("Excerpt").fill("Gentle stretches for desk workers.")
    follow(owner, owner.get_by_role("button", name="Publish now"), r"/studio/posts/\d+/edit$")
    assert owner.get_by_text("Published: the post is on the site now.").is_visible()
    assert_clean(owner)
    owner_context.close()

    reader_context, reader = _open_page(request, browser, viewport)
    reader.goto(live_server.url(HOST, "/blog"))
    follow(reader, reader.get_by_role("link", name=TITLE, exact=True), r"/blog/[a-z0-9-]+$")
    assert reader.get_by_role("heading", name=TITLE, level=1).is_visible()
    assert reader.get_by_text("Five gentle stretches").is_visible()
    assert reader_context.cookies() == []  # reading sets no cookie
    reader_context.close()

    visitor = page
    visitor.context.clear_cookies()
    visitor.goto(live_server.url(HOST, "/"))
    assert "Harbour Physio" in visitor.title()
    assert "lorem" not in visitor.content().lower()
    visitor.goto(live_server.url(HOST, "/book"))
    facts = booking_facts(app, "harbour-physio")
    visitor.get_by_role("group", name="Which service?").get_by_role(
        "radio", name=re.compile("^Free 15-minute consultation")
    ).check()
    follow(visitor, visitor.get_by_role("button", name="Show free times"), r"/book\?")
    choice = clear_time(visitor, facts)
    while choice is None:
        follow(visitor, another_day(visitor), r"/book\?.*(day|week)=")
        choice = clear_time(visitor, facts)
    choice[0].check()
    follow(visitor, visitor.get_by_role("button", name="Continue"), r"/book/details\?")
    visitor.get_by_label("Your name").fill("Ada Lovelace")
    visitor.get_by_label("E-mail address").fill("ada@example.com")
    visitor.get_by_label("Phone number").fill("+64 21 123 4567")
    visitor.get_by_label("I agree that the clinic stores").check()
    follow(
        visitor, visitor.get_by_role("button", name="Book this appointment"), r"/book/confirmed/"
    )
    assert visitor.get_by_role("heading", name="You're booked", level=1).is_visible()
    assert _demo_prints(app, demo) == before
