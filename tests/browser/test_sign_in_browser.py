"""Signing in to the studio with a password in a real Chromium, at 1280 and 390 px."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from meridian.extensions import db
from meridian.models import Tenant
from tests.browser.audit_pages import CLINICS
from tests.browser.test_audits import format_axe, run_axe
from tests.browser.test_journeys import assert_healthy
from tests.factories import PASSWORD, build_member

pytestmark = pytest.mark.browser


def zak_owner(app):
    with app.app_context():
        tenant = db.session.scalars(select(Tenant).where(Tenant.slug == "zak-clinic")).one()
        _ = tenant.domains
        db.session.expunge(tenant)
    return build_member(app, tenant, "owner", email="owner@zak.test", name="Zara Owner")


def test_sign_in_and_out_with_a_password(demo, app, live_server, page):
    zak_owner(app)
    page.goto(live_server.url(CLINICS["zak-clinic"], "/studio/staff"))
    assert page.url.endswith("/studio/sign-in?next=/studio/staff")
    assert page.get_by_role("heading", name="Sign in to Zak Clinic").is_visible()

    page.get_by_label("E-mail address").fill("owner@zak.test")
    page.get_by_label("Password").fill("not the password")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()
    assert page.get_by_role("alert").inner_text().startswith("That e-mail address and password")
    assert page.get_by_label("E-mail address").input_value() == "owner@zak.test"
    assert page.get_by_label("Password").input_value() == ""
    assert_healthy(page)

    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_label("Password").press("Enter")
    assert page.url.endswith("/studio/staff")
    assert page.get_by_role("heading", name="Staff", exact=True).is_visible()
    assert page.get_by_role("cell", name="owner@zak.test").is_visible()
    assert_healthy(page)

    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    assert page.get_by_role("status").inner_text() == "You are signed out."
    page.goto(live_server.url(CLINICS["zak-clinic"], "/studio/"))
    assert "/studio/sign-in" in page.url


@pytest.mark.axe
def test_axe_on_the_sign_in_error(demo, app, live_server, audit_page):
    """The sign-in page showing its error next to the form."""
    zak_owner(app)
    audit_page.goto(live_server.url(CLINICS["zak-clinic"], "/studio/sign-in"))
    audit_page.get_by_label("E-mail address").fill("owner@zak.test")
    with audit_page.expect_navigation():
        audit_page.get_by_role("button", name="Sign in", exact=True).click()
    assert audit_page.locator("[aria-invalid=true]").count() == 1  # the empty password
    violations = run_axe(audit_page)
    assert violations == [], "axe violations:\n" + format_axe(violations)
