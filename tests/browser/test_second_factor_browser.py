"""Second factors in Chromium: password + authenticator app, and a passkey registered and
used through Chromium's virtual authenticator (CDP WebAuthn domain), on a clinic's host and
on the platform host; axe and the Nu HTML Checker on every page of the flow."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from tests.browser.audit_pages import CLINICS
from tests.browser.conftest import AXE_JS
from tests.browser.test_audits import AXE_TAGS, format_axe, run_vnu
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def run_axe(page) -> list[dict]:
    """axe under the page's real CSP: evaluated through DevTools, not a <script> tag."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;true")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return result["violations"]


def assert_clean(page, pages_html: list | None = None) -> None:
    """No console errors (CSP included), no sideways scroll, no axe violation."""
    assert page.console.errors == [], page.console.errors
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"
    violations = run_axe(page)
    assert violations == [], f"{page.url}\n" + format_axe(violations)
    if pages_html is not None:
        pages_html.append((page.url, page.content()))


def sign_in_with_password(page, base: str, email: str) -> None:
    page.goto(base + "/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()


def virtual_authenticator(page):
    """A platform authenticator with user verification, as a phone or laptop has."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def test_admin_sets_up_an_app_at_first_sign_in_then_signs_in_with_it(
    app, live_server, page, make_user, tmp_path, require_tools
):
    make_user("root@meridian.test", platform_admin=True)
    base = live_server.url("localhost", "/admin")
    pages: list = []
    sign_in_with_password(page, base, "root@meridian.test")
    assert page.url.endswith("/admin/sign-in/second-factor")
    assert_clean(page, pages)
    with page.expect_navigation():
        page.get_by_role("link", name="Authenticator app").click()
    assert_clean(page, pages)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("6-digit code from your authenticator app").fill(pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on").click()
    codes = page.get_by_role("list", name="Recovery codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    assert_clean(page, pages)
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("I have saved them")).click()
    assert page.url.endswith("/admin/")

    # Next time: password, then a code from the app (the next 30-second step, since
    # the code just used to set it up may not be used again).
    page.context.clear_cookies()
    sign_in_with_password(page, base, "root@meridian.test")
    with page.expect_navigation():
        page.get_by_role("link", name="Authenticator app").click()
    assert_clean(page, pages)
    field = page.get_by_label("6-digit code from your authenticator app")
    field.fill("000000")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    assert page.locator("#code-error").is_visible()
    assert page.get_by_label("6-digit code from your authenticator app").input_value() == ""
    assert_clean(page, pages)
    page.get_by_label("6-digit code from your authenticator app").fill(
        pyotp.TOTP(secret).at(time.time() + 30)
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    assert page.url.endswith("/admin/")

    page.goto(base + "/account/security")
    assert_clean(page, pages)
    if page.viewport_size["width"] == 1280:  # one Nu run covers both widths' HTML
        require_tools("vnu")
        files = []
        for index, (_url, html) in enumerate(pages):
            path = tmp_path / f"page-{index}.html"
            path.write_text(html, encoding="utf-8")
            files.append(path)
        errors = [m for m in run_vnu(files) if m["type"] in {"error", "non-document-error"}]
        assert errors == [], errors


# One width per clinic: the ceremony is the same at both; the pages are audited at each.
@pytest.mark.parametrize(
    ("clinic", "viewport"), [("acute-acupuncture", "phone"), ("zak-clinic", "desktop")]
)
def test_owner_adds_a_passkey_and_signs_in_with_it_alone(
    demo, app, live_server, page, clinic, make_member
):
    tenant = demo[clinic]
    make_member(tenant, "owner", email=f"owner@{clinic}.test")
    base = live_server.url(CLINICS[clinic], "/studio")
    cdp, authenticator = virtual_authenticator(page)

    sign_in_with_password(page, base, f"owner@{clinic}.test")
    page.goto(base + "/account/security")
    assert_clean(page)
    page.get_by_label("Name this passkey").fill("Reception laptop")
    with page.expect_navigation():
        page.get_by_role("button", name="Add a passkey").click()
    # First factor on the account: recovery codes are shown once.
    assert len(page.get_by_role("list", name="Recovery codes").locator("code").all()) == 10
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("I have saved them")).click()
    assert page.get_by_text("Reception laptop").is_visible()
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1

    # Signed out, then in again with the passkey alone: no e-mail, no password.
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    assert "/studio/sign-in" in page.url
    button = page.get_by_role("button", name="Sign in with a passkey")
    assert button.is_visible()
    assert_clean(page)
    with page.expect_navigation():
        button.click()
    assert page.url.endswith("/studio/"), page.url
    assert page.console.errors == []

    # With a passkey set up, the password alone is no longer enough.
    page.context.clear_cookies()
    sign_in_with_password(page, base, f"owner@{clinic}.test")
    assert page.url.endswith("/studio/sign-in/second-factor")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Passkey")).click()
    assert_clean(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Use passkey").click()
    assert page.url.endswith("/studio/"), page.url
