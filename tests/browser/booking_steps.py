"""Shared steps for the booking tests in a real browser: what each demo clinic's free
consultation should look like, and how to walk the choose step to the details page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from meridian.extensions import db
from meridian.models import Service, Tenant

FREE_CONSULTATION = "Free 15-minute consultation"
#: A valid phone number for each clinic's country (NZ, GB). Not Ofcom's 07700 900xxx
#: drama range: phonenumbers (rightly) rejects it as unassigned. 020 7946 0xxx is
#: Ofcom's London drama range, which it accepts.
PHONES = {"acute-acupuncture": "+64 21 123 4567", "zak-clinic": "020 7946 0018"}
#: The time-zone abbreviations a booking's local time may carry.
ZONE_NAMES = {"acute-acupuncture": ("NZDT", "NZST"), "zak-clinic": ("GMT", "BST")}


@dataclass(frozen=True)
class Facts:
    """The clinic's first location and free consultation, as the database has them."""

    clinic_name: str
    locale: str
    location_count: int
    location_name: str
    address_lines: tuple[str, ...]
    timezone: str
    min_notice_minutes: int
    place: str  # how the clock is named: "Wellington time", "London time"

    def clear_of_notice_edge(self) -> datetime:
        """The earliest start a test should book: a slot right at the minimum-notice edge
        could stop being bookable in the seconds between showing it and posting it."""
        return datetime.now(UTC) + timedelta(minutes=self.min_notice_minutes + 10)


def booking_facts(app, clinic: str) -> Facts:
    with app.app_context():
        tenant = db.session.scalars(db.select(Tenant).filter_by(slug=clinic)).one()
        location = tenant.locations[0]
        consultation = db.session.scalars(
            db.select(Service).filter_by(tenant_id=tenant.id, slug="free-consultation")
        ).one()
        return Facts(
            clinic_name=tenant.name,
            locale=tenant.locale,
            location_count=len(tenant.locations),
            location_name=location.name,
            address_lines=tuple(location.address_lines),
            timezone=location.timezone,
            min_notice_minutes=consultation.min_notice_minutes,
            place=f"{location.city} time",
        )


def day_links(page):
    """The links of the week view's days that have free times."""
    return page.get_by_role("region", name="Choose a day").locator(".week-days a")


def another_day(page):
    """A link to a later free day: the week's next one, or the next week."""
    days = day_links(page)
    if days.count() >= 2:
        return days.nth(1)
    return page.get_by_role("link", name="Next week")


def offered_start(page) -> datetime:
    """The time the choose step has ticked (the first offered time of the shown day)."""
    value = page.locator("input[name=start]:checked").get_attribute("value")
    return datetime.fromisoformat(value).astimezone(UTC)


def choose_to_details(page, facts: Facts) -> None:
    """From /book: first location, the free consultation, the offered day and time."""
    if facts.location_count > 1:
        page.get_by_role("group", name="Which location?").get_by_role("radio").first.check()
    page.get_by_role("group", name="Which service?").get_by_role(
        "radio", name=re.compile("^" + re.escape(FREE_CONSULTATION))
    ).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Show free times").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    assert re.search(r"/book/details\?", page.url), page.url
    assert page.get_by_role("heading", name="Your details", level=1).is_visible()
