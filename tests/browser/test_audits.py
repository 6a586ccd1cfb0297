"""axe-core and the Nu HTML Checker on every page of AUDIT_PAGES, for both clinics."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.browser.audit_pages import (
    AUDIT_PAGES,
    CLINICS,
    PLATFORM_HOST,
    PLATFORM_PAGES,
    audit_params,
    host_of,
    session_cookie,
)
from tests.browser.booking_steps import PHONES, booking_facts, choose_to_details
from tests.browser.conftest import AXE_JS, ROOT, VNU_JAR

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


@pytest.mark.browser
@pytest.mark.axe
@pytest.mark.parametrize(("clinic", "audit"), audit_params())
def test_axe_finds_no_violations(demo, app, live_server, audit_page, clinic, audit):
    if audit.endpoint and audit.endpoint not in app.view_functions:
        pytest.skip(f"{audit.endpoint} is not registered yet")
    host = host_of(clinic)
    if audit.role:
        value = session_cookie(app, clinic, audit.role)
        audit_page.context.add_cookies(
            [{"name": "session", "value": value, "url": live_server.url(host)}]
        )
    path = audit.url_path(clinic) if clinic else audit.path
    response = audit_page.goto(live_server.url(host, path))
    assert response is not None and response.status == 200
    violations = run_axe(audit_page)
    assert violations == [], "axe violations:\n" + format_axe(violations)


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
def test_nu_html_checker_finds_no_errors(demo, app, client_for, tmp_path, require_tools):
    require_tools("vnu")
    files = []
    for clinic, host in [*CLINICS.items(), (None, PLATFORM_HOST)]:
        for audit in AUDIT_PAGES if clinic else PLATFORM_PAGES:
            if audit.endpoint and audit.endpoint not in app.view_functions:
                continue
            client = client_for(host)
            if audit.role:
                client.set_cookie("session", session_cookie(app, clinic, audit.role), domain=host)
            response = client.get(audit.url_path(clinic) if clinic else audit.path)
            assert response.status_code == 200, (clinic, audit.name)
            path = tmp_path / f"{clinic or 'platform'}--{audit.name}.html"
            path.write_bytes(response.data)
            files.append(path)
        if clinic:
            theme = tmp_path / f"{clinic}--theme.css"
            theme.write_bytes(client.get("/theme.css").data)
            files.append(theme)
    files.append(ROOT / "platform" / "meridian" / "static" / "css" / "site.css")
    files.append(ROOT / "platform" / "meridian" / "static" / "css" / "studio.css")
    files.append(ROOT / "platform" / "meridian" / "static" / "css" / "engagement.css")
    messages = run_vnu(files)
    problems = [
        f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m['type']}: {m['message']}"
        + (f"\n    {m['extract'].strip()[:160]}" if m.get("extract") else "")
        for m in messages
        if m["type"] in {"error", "non-document-error"}
    ]
    assert len(files) >= 2 * len(AUDIT_PAGES)
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
