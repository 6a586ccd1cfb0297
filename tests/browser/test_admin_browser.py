"""The admin console in Chromium at 1280 and 390 px: axe under the real CSP, no console
errors, no sideways scrolling; the Nu HTML Checker on the same pages."""

from __future__ import annotations

import pytest

from meridian.extensions import db
from meridian.models import ImportRun, MissingPath
from tests.browser.test_audits import run_vnu
from tests.browser.test_second_factor_browser import assert_clean
from tests.factories import PLATFORM_HOST, plant_session

pytestmark = pytest.mark.browser


@pytest.fixture
def signed_in_admin(app, demo, client_for, make_user):
    """A test client signed in as a platform admin, and the pages to check."""
    admin = make_user("root@meridian.test", platform_admin=True)
    client = client_for(PLATFORM_HOST)
    token = plant_session(client, PLATFORM_HOST, admin, None)
    clinic = demo["zak-clinic"]
    # Something in each table and list: a pending domain and an audit event.
    client.post(
        f"/admin/clinics/{clinic.id}/domains",
        data={"csrf_token": token, "hostname": "www.zak-clinic.example"},
    )
    with app.app_context():  # an import report with every kind of row
        run = ImportRun(
            tenant_id=clinic.id,
            source="https://old.example/",
            kind="wix",
            status="done",
            report=[
                {
                    "title": "A",
                    "old": ["/post/a"],
                    "action": "imported",
                    "why": "",
                    "new": "/blog/a",
                },
                {
                    "title": "B",
                    "old": ["/post/b"],
                    "action": "skipped",
                    "why": "no body",
                    "new": "",
                },
            ],
        )
        db.session.add(run)
        db.session.add(MissingPath(tenant_id=clinic.id, path="/post/old-article", hits=3))
        db.session.commit()
        run_id = run.id
    return client, [
        "/admin/",
        f"/admin/clinics/{clinic.id}",
        "/admin/clinics/new",
        f"/admin/clinics/{clinic.id}/import",
        f"/admin/clinics/{clinic.id}/imports/{run_id}",
        f"/admin/clinics/{clinic.id}/bookings",
        f"/admin/clinics/{clinic.id}/missing",
    ]


def test_admin_console_pages_are_clean(live_server, page, signed_in_admin):
    client, paths = signed_in_admin
    cookie = client.get_cookie("session", domain=PLATFORM_HOST)
    page.context.add_cookies(
        [{"name": "session", "value": cookie.value, "domain": PLATFORM_HOST, "path": "/"}]
    )
    for path in paths:
        response = page.goto(live_server.url(PLATFORM_HOST, path))
        assert response is not None and response.status == 200, path
        assert_clean(page)


@pytest.mark.vnu
def test_admin_console_pages_are_valid_html(signed_in_admin, tmp_path, require_tools):
    require_tools("vnu")
    client, paths = signed_in_admin
    files = []
    for index, path in enumerate(paths):
        target = tmp_path / f"admin-{index}.html"
        target.write_bytes(client.get(path).data)
        files.append(target)
    errors = [m for m in run_vnu(files) if m["type"] in {"error", "non-document-error"}]
    assert errors == [], [(e.get("lastLine"), e.get("message"), e.get("extract")) for e in errors]
