"""axe-core and the Nu HTML Checker on every page of AUDIT_PAGES, for both clinics in
every theme, and on the photo pages of a clinic without photographs in every theme.

axe runs at 1280 px and at 390 px on the same loaded page (resized between runs)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from meridian.themes import THEMES
from tests.browser.audit_pages import (
    AUDIT_PAGES,
    CLINICS,
    PHOTO_PAGES,
    PLATFORM_PAGES,
    audit_params,
    host_of,
    no_photo_params,
    session_cookie,
)
from tests.browser.booking_steps import PHONES, booking_facts, choose_to_details
from tests.browser.conftest import AXE_JS, ROOT, VIEWPORTS, VNU_JAR

#: axe rule tags checked: WCAG 2.0/2.1/2.2 A and AA, plus axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def format_axe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    at {', '.join(node['target'])}: {node['html'][:160]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


def axe_at_both_widths(page, url: str, status: int) -> None:
    response = page.goto(url)
    assert response is not None and response.status == status
    for name, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        violations = run_axe(page)
        assert violations == [], f"axe violations at {name} ({size['width']} px):\n" + format_axe(
            violations
        )


@pytest.mark.browser
@pytest.mark.axe
@pytest.mark.parametrize(("clinic", "theme", "audit"), audit_params())
def test_axe_finds_no_violations(
    demo, app, set_theme, live_server, audit_tab, clinic, theme, audit
):
    if audit.endpoint and audit.endpoint not in app.view_functions:
        pytest.skip(f"{audit.endpoint} is not registered yet")
    host = host_of(clinic)
    if clinic is not None:
        set_theme(clinic, theme)
    if audit.role:
        value = session_cookie(app, clinic, audit.role)
        audit_tab.context.add_cookies(
            [{"name": "session", "value": value, "url": live_server.url(host)}]
        )
    path = audit.url_path(clinic) if clinic else audit.path
    axe_at_both_widths(audit_tab, live_server.url(host, path), audit.status)


@pytest.mark.browser
@pytest.mark.axe
@pytest.mark.parametrize(("theme", "audit"), no_photo_params())
def test_axe_without_photographs(
    demo, set_theme, remove_photos, live_server, audit_tab, theme, audit
):
    """A clinic that has not added a photograph yet: the theme's own no-photo design."""
    set_theme("zak-clinic", theme)
    remove_photos("zak-clinic")
    url = live_server.url(CLINICS["zak-clinic"], audit.url_path("zak-clinic"))
    axe_at_both_widths(audit_tab, url, audit.status)
    assert audit_tab.locator("img[srcset]").count() == 0


def run_axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return result["violations"]


@pytest.mark.browser
@pytest.mark.axe
@pytest.mark.parametrize("state", ["empty", "no-consent"])
@pytest.mark.parametrize("clinic", list(CLINICS))
def test_axe_booking_details_errors(demo, app, live_server, audit_page, clinic, state):
    """The details page showing its errors (submitted empty, or without consent). Its URL
    carries a start time that depends on now, so the flow is walked in the browser."""
    audit_page.goto(live_server.url(CLINICS[clinic], "/book"))
    choose_to_details(audit_page, booking_facts(app, clinic))
    if state == "no-consent":
        audit_page.get_by_label("Your name").fill("Ada Lovelace")
        audit_page.get_by_label("E-mail address").fill("ada@example.com")
        audit_page.get_by_label("Phone number").fill(PHONES[clinic])
    with audit_page.expect_navigation() as navigation:
        audit_page.get_by_role("button", name="Book this appointment").click()
    assert navigation.value is not None and navigation.value.status == 422
    assert audit_page.get_by_role("alert").first.is_visible()
    invalid = audit_page.locator("[aria-invalid=true]")
    expected = ["consent"] if state == "no-consent" else ["name", "email", "phone", "consent"]
    assert [invalid.nth(i).get_attribute("name") for i in range(invalid.count())] == expected
    assert audit_page.locator("#consent-error").is_visible()
    violations = run_axe(audit_page)
    assert violations == [], "axe violations:\n" + format_axe(violations)


def run_vnu(files: list[Path]) -> list[dict]:
    """Nu HTML Checker messages (errors only) for the given files, in one JVM."""
    completed = subprocess.run(
        [
            "java",
            "-Xss4m",
            "-jar",
            str(VNU_JAR),
            "--format",
            "json",
            "--errors-only",
            "--also-check-css",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    # vnu prints its JSON report on stderr; exit status 1 means "errors found".
    report = json.loads(completed.stderr or '{"messages": []}')
    return report["messages"]


@pytest.mark.vnu
def test_nu_html_checker_finds_no_errors(
    demo, app, client_for, set_theme, remove_photos, tmp_path, require_tools
):
    """Every audit page of both clinics in every theme, the photo pages once more without
    photographs, and every stylesheet: one JVM run."""
    require_tools("vnu")
    files = []

    def save(clinic: str | None, label: str, pages) -> None:
        host = host_of(clinic)
        for audit in pages:
            if audit.endpoint and audit.endpoint not in app.view_functions:
                continue
            client = client_for(host)
            if audit.role:
                client.set_cookie("session", session_cookie(app, clinic, audit.role), domain=host)
            response = client.get(audit.url_path(clinic) if clinic else audit.path)
            assert response.status_code == audit.status, (clinic, label, audit.name)
            path = tmp_path / f"{clinic or 'platform'}--{label}--{audit.name}.html"
            path.write_bytes(response.data)
            files.append(path)

    for theme in THEMES:
        for clinic in CLINICS:
            set_theme(clinic, theme)
            save(clinic, theme, AUDIT_PAGES)
    save(None, "platform", PLATFORM_PAGES)
    for clinic, host in CLINICS.items():
        brand = tmp_path / f"{clinic}--theme.css"
        brand.write_bytes(client_for(host).get("/theme.css").data)
        files.append(brand)
    remove_photos("zak-clinic")
    for theme in THEMES:
        set_theme("zak-clinic", theme)
        save("zak-clinic", f"{theme}-no-photos", PHOTO_PAGES)
    static = ROOT / "platform" / "meridian" / "static"
    files += sorted(static.glob("css/*.css")) + sorted(static.glob("themes/*/theme.css"))
    messages = run_vnu(files)
    problems = [
        f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m['type']}: {m['message']}"
        + (f"\n    {m['extract'].strip()[:160]}" if m.get("extract") else "")
        for m in messages
        if m["type"] in {"error", "non-document-error"}
    ]
    assert len(files) >= 2 * len(THEMES) * len(AUDIT_PAGES)
    assert problems == [], "Nu HTML Checker errors:\n" + "\n".join(problems)


def _booking_state_urls(app, clinic) -> dict[str, str]:
    """Paths of booking pages in states only the flow reaches: the week view with times
    and practitioners, and the details page for a time that has gone."""
    from datetime import UTC, datetime, timedelta

    from meridian.extensions import db
    from meridian.models import Service, Tenant

    with app.app_context():
        tenant = db.session.scalars(db.select(Tenant).filter_by(slug=clinic)).one()
        free = db.session.scalars(
            db.select(Service).filter_by(tenant_id=tenant.id, slug="free-consultation")
        ).one()
        location = tenant.locations[0].id
    past = (datetime.now(UTC) - timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    return {
        "times": f"/book?location={location}&service={free.id}",
        "next-week": f"/book?location={location}&service={free.id}"
        f"&week={(datetime.now(UTC) + timedelta(days=7)).date().isoformat()}",
        "gone": f"/book/details?location={location}&service={free.id}"
        f"&start={past.isoformat().replace('+', '%2B')}",
    }


@pytest.mark.browser
@pytest.mark.axe
@pytest.mark.parametrize("state", ["times", "next-week", "gone"])
@pytest.mark.parametrize("clinic", list(CLINICS))
def test_axe_booking_states(demo, app, live_server, audit_page, clinic, state):
    path = _booking_state_urls(app, clinic)[state]
    response = audit_page.goto(live_server.url(CLINICS[clinic], path))
    assert response is not None and response.status == 200
    if state == "gone":
        assert audit_page.get_by_role("alert").first.is_visible()
    violations = run_axe(audit_page)
    assert violations == [], "axe violations:\n" + format_axe(violations)


@pytest.mark.vnu
def test_nu_html_checker_on_booking_states(demo, app, client_for, tmp_path, require_tools):
    """The Nu HTML Checker on the week view, a gone time, an expired details page and
    the rate-limit page, for both clinics."""
    require_tools("vnu")
    files = []
    for clinic, host in CLINICS.items():
        client = client_for(host)
        for state, path in _booking_state_urls(app, clinic).items():
            response = client.get(path)
            assert response.status_code == 200, (clinic, state)
            files.append(tmp_path / f"{clinic}--{state}.html")
            files[-1].write_bytes(response.data)
        details = client.get(_booking_state_urls(app, clinic)["gone"])
        expired = client.post(
            "/book/details",
            data={
                "location": details.request.args["location"],
                "service": details.request.args["service"],
                "start": details.request.args["start"],
                "name": "Ada",
                "csrf_token": "expired",
            },
        )
        assert expired.status_code == 400
        files.append(tmp_path / f"{clinic}--expired.html")
        files[-1].write_bytes(expired.data)
    messages = run_vnu(files)
    problems = [
        f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m["type"] in {"error", "non-document-error"}
    ]
    assert problems == [], "Nu HTML Checker errors:\n" + "\n".join(problems)
