"""The bookings desk in Chromium, on both demo clinics (phone and desktop widths): a
visitor books; the front desk finds it on the day sheet in the location's time, opens
it (the view is audited) and marks it arrived; the owner books for a phoning client
into the time a visitor is racing for, and exactly one of them gets it. Every desk
page passes axe and the Nu HTML Checker."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_time
from sqlalchemy import select

from meridian.extensions import db
from meridian.models import AuditEvent, Booking, Service, Tenant
from tests.browser.audit_pages import CLINICS, session_cookie
from tests.browser.booking_steps import FREE_CONSULTATION, PHONES, another_day, booking_facts
from tests.browser.test_audits import format_axe, run_axe, run_vnu

pytestmark = pytest.mark.browser

#: Other valid numbers per clinic's country: the free consultation is for new clients,
#: matched by phone too, so each person books with their own.
GRACE = {"acute-acupuncture": "+64 21 123 4568", "zak-clinic": "020 7946 0019"}
BO = {"acute-acupuncture": "+64 21 123 4569", "zak-clinic": "020 7946 0020"}


def _sign_in_as(page, app, live_server, clinic: str, role: str) -> None:
    host = CLINICS[clinic]
    page.context.add_cookies(
        [
            {
                "name": "session",
                "value": session_cookie(app, clinic, role),
                "url": live_server.url(host),
            }
        ]
    )


def _healthy(page) -> None:
    assert page.console.errors == [], page.console.errors
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def _visitor_books(page, live_server, facts, clinic: str) -> datetime:
    page.goto(live_server.url(CLINICS[clinic], "/book"))
    if facts.location_count > 1:
        page.get_by_role("group", name="Which location?").get_by_role("radio").first.check()
    page.get_by_role("group", name="Which service?").get_by_role(
        "radio", name=re.compile("^" + re.escape(FREE_CONSULTATION))
    ).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Show free times").click()
    edge = facts.clear_of_notice_edge()
    while True:
        radios = [
            r
            for r in page.locator("input[name=start]").all()
            if datetime.fromisoformat(r.get_attribute("value")) >= edge
        ]
        if radios:
            break
        with page.expect_navigation():
            another_day(page).click()
    radios[0].check()
    start = datetime.fromisoformat(radios[0].get_attribute("value")).astimezone(UTC)
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("E-mail address").fill("ada@example.com")
    page.get_by_label("Phone number").fill(PHONES[clinic])
    page.get_by_label("Reason for your visit (optional)").fill("BROWSER-MARKER sore knee")
    page.get_by_label("I agree that the clinic stores").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Book this appointment").click()
    assert "/book/confirmed/" in page.url
    return start


@pytest.mark.parametrize("clinic", list(CLINICS))
def test_front_desk_and_owner_on_the_desk(demo, app, live_server, page, browser, clinic):
    facts = booking_facts(app, clinic)
    start = _visitor_books(page, live_server, facts, clinic)
    local = start.astimezone(ZoneInfo(facts.timezone))

    # The front desk: today's sheet, then the booking's day; the time in local clock.
    desk = browser.new_context(viewport=page.viewport_size).new_page()
    desk.console = type(page.console)(desk)
    _sign_in_as(desk, app, live_server, clinic, "front_desk")
    host = CLINICS[clinic]
    desk.goto(live_server.url(host, "/studio/"))
    with desk.expect_navigation():
        desk.get_by_role("navigation", name="Studio").get_by_role("link", name="Bookings").click()
    assert desk.get_by_role("heading", name="Bookings", level=1).is_visible()
    desk.get_by_label("Day").fill(local.date().isoformat())
    with desk.expect_navigation():
        desk.get_by_role("button", name="Show").click()
    _healthy(desk)
    entry = desk.locator(".sheet-booking", has_text="Ada Lovelace").first
    clock = format_time(local, "short", locale=facts.locale)
    assert entry.locator("time").first.inner_text() == clock
    assert "BROWSER-MARKER" not in desk.content()
    with desk.expect_navigation():
        entry.get_by_role("link").click()
    assert desk.get_by_text("BROWSER-MARKER sore knee").is_visible()
    booking_id = int(desk.url.rsplit("/", 1)[1])
    with app.app_context():
        views = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "booking.view", AuditEvent.target == f"booking:{booking_id}"
            )
        ).all()
        assert len(views) == 1 and views[0].actor_email == f"front_desk@{clinic}.test"
    with desk.expect_navigation():
        desk.get_by_role("button", name="Arrived").click()
    assert desk.get_by_text("Marked arrived.").is_visible()
    _healthy(desk)
    with app.app_context():
        assert db.session.get(Booking, booking_id).attendance == "arrived"

    # The owner books a phoning client into the time a visitor is about to take.
    owner = browser.new_context(viewport=page.viewport_size).new_page()
    owner.console = type(page.console)(owner)
    _sign_in_as(owner, app, live_server, clinic, "owner")
    with app.app_context():
        tenant = db.session.scalars(select(Tenant).filter_by(slug=clinic)).one()
        service = db.session.scalars(
            select(Service).filter_by(tenant_id=tenant.id, slug="free-consultation")
        ).one()
        location_id = tenant.locations[0].id
    edge = facts.clear_of_notice_edge()  # a time visitors may still book online
    day = local.date()
    contested = None
    while contested is None:
        owner.goto(
            live_server.url(
                host,
                f"/studio/bookings/new?location={location_id}&service={service.id}"
                f"&day={day.isoformat()}",
            )
        )
        contested = next(
            (
                r
                for r in owner.locator("input[name=start]").all()
                if datetime.fromisoformat(r.get_attribute("value")) >= edge
            ),
            None,
        )
        day += timedelta(days=1)
    _healthy(owner)
    contested_value = contested.get_attribute("value")
    contested.check()
    owner.get_by_label("Client's name").fill("Grace Hopper")
    owner.get_by_label("Client's e-mail address").fill("grace@example.com")
    owner.get_by_label("Client's phone number").fill(GRACE[clinic])
    owner.get_by_label("The client agreed").check()

    racer = browser.new_context(viewport=page.viewport_size).new_page()
    racer.goto(
        live_server.url(
            host,
            f"/book/details?location={location_id}&service={service.id}"
            f"&start={contested_value.replace('+', '%2B')}",
        )
    )
    racer.get_by_label("Your name").fill("Bo Racer")
    racer.get_by_label("E-mail address").fill("bo@example.com")
    racer.get_by_label("Phone number").fill(BO[clinic])
    racer.get_by_label("I agree that the clinic stores").check()
    # Both forms go at once; each page then shows who won.
    with owner.expect_navigation(), racer.expect_navigation():
        owner.evaluate(
            "[...document.querySelectorAll('main form button')]"
            ".find(b => b.textContent.trim() === 'Book').form.requestSubmit()"
        )
        racer.evaluate(
            "[...document.querySelectorAll('form button')]"
            ".find(b => /Book this/.test(b.textContent)).form.requestSubmit()"
        )
    with app.app_context():
        winners = db.session.scalars(
            select(Booking).where(
                Booking.tenant_id == tenant.id,
                Booking.starts_at == datetime.fromisoformat(contested_value),
                Booking.status == "confirmed",
            )
        ).all()
    assert len(winners) == 1, (
        owner.url,
        racer.url,
        owner.inner_text("main")[-800:],
        racer.inner_text("main")[:600],
    )
    loser = racer if winners[0].client_name == "Grace Hopper" else owner
    loser.wait_for_selector("text=/just taken/")
    assert loser.get_by_text(re.compile("just taken")).first.is_visible()
    for other in (desk, owner, racer):
        other.context.close()


DESK_PATHS = (
    "/studio/bookings/{booking}",
    "/studio/bookings/{booking}/move",
    "/studio/bookings/{booking}/cancel",
    "/studio/bookings/new?location={location}&service={service}",
    "/studio/bookings/block",
    "/studio/clients",
    "/studio/clients/{booking}",
    "/studio/clients/{booking}/erase",
)


@pytest.fixture
def desk_bookings(demo, app, book_via_http, next_free):
    """One booking per demo clinic, made the visitor's way; the ids the paths need."""
    ids = {}
    for clinic, tenant in demo.items():
        with app.app_context():
            service = db.session.scalars(
                select(Service).filter_by(tenant_id=tenant.id, slug="free-consultation")
            ).one()
            db.session.expunge(service)
        start = next_free(tenant, service)
        response = book_via_http(
            tenant, service, start, phone=PHONES[clinic], reason="AUDIT-MARKER"
        )
        assert response.status_code == 303, response.text
        with app.app_context():
            booking = db.session.scalars(
                select(Booking.id).where(Booking.tenant_id == tenant.id)
            ).one()
        ids[clinic] = {
            "booking": booking,
            "location": tenant.locations[0].id,
            "service": service.id,
        }
    return ids


@pytest.mark.axe
@pytest.mark.parametrize("clinic", list(CLINICS))
def test_axe_on_every_desk_page(app, live_server, audit_page, desk_bookings, clinic):
    _sign_in_as(audit_page, app, live_server, clinic, "owner")
    for path in DESK_PATHS:
        url = live_server.url(CLINICS[clinic], path.format(**desk_bookings[clinic]))
        response = audit_page.goto(url)
        assert response is not None and response.status == 200, url
        violations = run_axe(audit_page)
        assert violations == [], f"{url}: axe violations:\n" + format_axe(violations)


@pytest.mark.vnu
def test_nu_html_checker_on_desk_pages(app, client_for, desk_bookings, tmp_path, require_tools):
    require_tools("vnu")
    files = []
    for clinic, host in CLINICS.items():
        client = client_for(host)
        client.set_cookie("session", session_cookie(app, clinic, "owner"), domain=host)
        for index, path in enumerate(DESK_PATHS):
            response = client.get(path.format(**desk_bookings[clinic]))
            assert response.status_code == 200, path
            file = tmp_path / f"{clinic}--desk-{index}.html"
            file.write_bytes(response.data)
            files.append(file)
    messages = run_vnu(files)
    assert messages == [], "\n".join(f"{m.get('url')}: {m.get('message')}" for m in messages)
