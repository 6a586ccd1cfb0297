"""A data request end to end in a real Chromium: the visitor finds the form from the
privacy notice, asks for a copy, confirms from the e-mail the outbox wrote; the front
desk sees it with its due date, downloads what is held and marks it answered. Then axe and the Nu HTML Checker
on the request pages that only a POST or a link reaches (errors, confirm, bad link) and
on the studio's request page."""

from __future__ import annotations

import email
import json
import re
import zipfile
from email import policy
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from meridian.extensions import db
from meridian.models import AuditEvent, DataRequest, Tenant
from meridian.outbox import mail_folder, send_due
from meridian.privacy.requests import confirm_token
from tests.browser.audit_pages import CLINICS
from tests.browser.test_audits import format_axe, run_axe, run_vnu
from tests.browser.test_journeys import assert_healthy
from tests.factories import PASSWORD, build_member, plant_session

LINK = re.compile(r"https?://\S+/privacy/request/confirm/\S+")


@pytest.fixture
def quick_forms(app, monkeypatch):
    """The stamp is still required, but no minimum wait (the browser types instantly)."""
    monkeypatch.setitem(app.config, "FORM_MIN_SECONDS", 0)


def mailed_link(app, recipient: str) -> str:
    with app.app_context():
        send_due()
        folder = mail_folder()
    for path in sorted(Path(folder).glob("*.eml"), reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == recipient:
            return LINK.search(message.get_body(("plain",)).get_content()).group(0)
    raise AssertionError(f"no e-mail to {recipient}")


@pytest.mark.browser
def test_a_data_request_from_the_notice_to_the_front_desk(
    demo, app, live_server, page, viewport, quick_forms
):
    clinic = "acute-acupuncture"  # New Zealand: 20 working days
    host = CLINICS[clinic]
    address = f"visitor-{viewport}@example.com"
    page.goto(live_server.url(host, "/privacy"))
    assert_healthy(page)
    with page.expect_navigation():
        page.get_by_role("link", name="send us a request").click()
    assert page.locator("h1").inner_text() == "Ask about your data"
    form = page.locator("form.reader-form")
    form.get_by_label("A copy of the information you hold about me").check()
    form.get_by_label("Your name").fill("Mere Visitor")
    form.get_by_label("The e-mail address you used with us").fill(address)
    with page.expect_navigation():
        form.get_by_role("button", name="Send request").click()
    assert page.locator("h1").inner_text() == "Please check your e-mail"
    assert page.context.cookies() == []  # no cookie anywhere on the way

    # The desk sees nothing until the visitor confirms from their mailbox.
    desk_context = page.context.browser.new_context(viewport=page.viewport_size)
    try:
        desk = desk_context.new_page()
        front_desk = f"desk-{viewport}@{clinic}.example.com"
        build_member(app, demo[clinic], "front_desk", email=front_desk)
        desk.goto(live_server.url(host, "/studio/sign-in"))
        desk.get_by_label("E-mail address").fill(front_desk)
        desk.get_by_label("Password").fill(PASSWORD)
        with desk.expect_navigation():
            desk.get_by_role("button", name="Sign in", exact=True).click()
        desk.goto(live_server.url(host, "/studio/requests"))
        assert "Mere Visitor" not in desk.locator("main").inner_text()

        link = urlsplit(mailed_link(app, address))
        page.goto(live_server.url(host, link.path))
        assert page.locator("h1").inner_text() == "Confirm your request"
        with page.expect_navigation():
            page.get_by_role("button", name="Yes, send my request").click()
        assert page.locator("h1").inner_text() == "Your request has been sent"
        assert_healthy(page)
        with app.app_context():
            row = db.session.scalars(select(DataRequest).filter_by(email=address)).one()
            due, request_id = row.due_on, row.id
        assert row.status == "open" and due is not None

        desk.goto(live_server.url(host, "/studio/requests"))
        waiting = desk.locator("table.data").inner_text()
        assert "Mere Visitor" in waiting
        assert desk.locator(f"time[datetime='{due.isoformat()}']").count() == 1
        with desk.expect_navigation():
            desk.get_by_role("link", name="Mere Visitor").click()
        assert desk.locator("h1").inner_text() == "Request from Mere Visitor"
        with desk.expect_download() as download:
            desk.get_by_role("button", name="Download everything held (ZIP)").click()
        assert download.value.suggested_filename == f"request-{request_id}.zip"
        with zipfile.ZipFile(download.value.path()) as archive:
            held = json.loads(archive.read("held.json"))
        assert held["address"] == address and held["request"]["kind"] == "copy"
        desk.get_by_label("How you answered (kept with the request)").fill(
            "Sent a copy of the booking details by e-mail."
        )
        with desk.expect_navigation():
            desk.get_by_role("button", name="Mark as answered").click()
        assert "Marked as answered." in desk.locator(".flashes").inner_text()
        assert "Mere Visitor" in desk.locator("main").inner_text()  # under Answered
    finally:
        desk_context.close()
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.target == f"data_request:{request_id}")
        ).all()
        assert {"privacy_request.view", "privacy_request.export", "privacy_request.answer"} <= set(
            actions
        )
        assert db.session.get(DataRequest, request_id).status == "answered"


def _linked_pages(app, clinic: str) -> dict[str, str]:
    """The pages behind the e-mailed link, for a fresh request of `clinic`."""
    with app.app_context():
        tenant = db.session.scalars(select(Tenant).filter_by(slug=clinic)).one()
        row = DataRequest(
            tenant_id=tenant.id, kind="erase", name="Audit Person", email="audit@example.com"
        )
        db.session.add(row)
        db.session.commit()
        return {
            "confirm": f"/privacy/request/confirm/{confirm_token(row)}",
            "bad-link": "/privacy/request/confirm/not-a-real-token",
        }


def _confirmed_request(app, clinic: str) -> int:
    from meridian.models import utcnow

    with app.app_context():
        tenant = db.session.scalars(select(Tenant).filter_by(slug=clinic)).one()
        row = DataRequest(
            tenant_id=tenant.id,
            kind="correct",
            name="Audit Person",
            email="audit@example.com",
            details="My surname is spelt wrong.",
            status="open",
            confirmed_at=utcnow(),
            due_on=utcnow().date(),
        )
        db.session.add(row)
        db.session.commit()
        return row.id


@pytest.mark.browser
@pytest.mark.axe
@pytest.mark.parametrize("clinic", list(CLINICS))
def test_axe_on_the_request_pages(demo, app, live_server, audit_page, clinic):
    host = CLINICS[clinic]
    checked = []
    audit_page.goto(live_server.url(host, "/privacy/request"))
    with audit_page.expect_navigation():
        audit_page.get_by_role("button", name="Send request").click()
    assert audit_page.locator("[aria-invalid=true]").count() == 2
    assert audit_page.locator("#request-kind-error").count() == 1
    checked.append(("request errors", run_axe(audit_page)))
    for name, path in _linked_pages(app, clinic).items():
        audit_page.goto(live_server.url(host, path))
        checked.append((name, run_axe(audit_page)))
    request_id = _confirmed_request(app, clinic)
    owner = build_member(app, demo[clinic], "owner", email=f"axe-owner@{clinic}.example.com")
    from flask.testing import FlaskClient

    client = FlaskClient(app)
    plant_session(client, host, owner, demo[clinic])
    cookie = client.get_cookie("session", domain=host)
    audit_page.context.add_cookies(
        [{"name": "session", "value": cookie.value, "domain": host, "path": "/"}]
    )
    for name, path in (
        ("studio request", f"/studio/requests/{request_id}"),
        ("studio requests", "/studio/requests"),
    ):
        audit_page.goto(live_server.url(host, path))
        assert audit_page.locator("h1").count() == 1
        checked.append((name, run_axe(audit_page)))
    problems = [f"{name}:\n{format_axe(found)}" for name, found in checked if found]
    assert problems == [], "axe violations:\n" + "\n".join(problems)


@pytest.mark.vnu
def test_nu_html_checker_on_the_request_pages(
    demo, app, client_for, signed_in_client, tmp_path, require_tools
):
    require_tools("vnu")
    files = []
    for clinic, host in CLINICS.items():
        client = client_for(host)
        pages = {
            "request": client.get("/privacy/request"),
            "request-errors": client.post("/privacy/request", data={"details": "x" * 3000}),
            "refused": client.post("/privacy/request", headers={"Origin": "https://evil.example"}),
            "sent": client.get("/privacy/request/sent"),
        }
        for name, path in _linked_pages(app, clinic).items():
            pages[name] = client.get(path)
        owner = signed_in_client(demo[clinic], "owner")
        request_id = _confirmed_request(app, clinic)
        pages["studio-request"] = owner.get(f"/studio/requests/{request_id}")
        pages["studio-requests"] = owner.get("/studio/requests")
        pages["studio-privacy"] = owner.get("/studio/privacy")
        owner.post(
            "/studio/privacy/words",
            data={"csrf_token": owner.csrf, "text": "Our **own** words.", "action": "publish"},
        )
        pages["studio-version"] = owner.get("/studio/privacy/versions/1")
        owner.post(
            "/studio/privacy/words",
            data={"csrf_token": owner.csrf, "text": "Draft words.", "action": "save"},
        )
        pages["studio-preview"] = owner.get("/studio/privacy/preview")
        for name, response in pages.items():
            assert response.status_code in (200, 400, 403, 422), (clinic, name)
            file = tmp_path / f"{clinic}--{name}.html"
            file.write_bytes(response.data)
            files.append(file)
    messages = run_vnu(files)
    problems = [
        f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m["type"] in {"error", "non-document-error"}
    ]
    assert problems == [], "Nu HTML Checker errors:\n" + "\n".join(problems)
