"""Readers who talk back, in a real Chromium on both clinics at 1280 and 390 px:
like a post, comment and see it once approved, subscribe and confirm from the e-mail
the outbox wrote. Then axe and the Nu HTML Checker on the forms' error states and on
the pages behind a link (confirm, unsubscribe)."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from meridian.engagement.subscriptions import confirm_token, unsubscribe_token
from meridian.extensions import db
from meridian.models import Subscriber, Tenant
from meridian.outbox import mail_folder, send_due
from tests.browser.audit_pages import CLINICS, SAMPLE_POST
from tests.browser.test_audits import format_axe, run_axe, run_vnu
from tests.browser.test_journeys import assert_healthy
from tests.factories import PASSWORD, build_member

CONFIRM = re.compile(r"https?://\S+/subscribe/confirm/\S+")


@pytest.fixture
def quick_forms(app, monkeypatch):
    """A stamp is still required, but no minimum wait (the browser types instantly)."""
    monkeypatch.setitem(app.config, "FORM_MIN_SECONDS", 0)


def inbox_link(app, recipient: str) -> str:
    """The confirmation link in the e-mail the outbox wrote (file backend) to `recipient`."""
    with app.app_context():
        send_due()
        folder = mail_folder()
    for path in sorted(Path(folder).glob("*.eml"), reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == recipient:
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            return CONFIRM.search(message.get_body(("plain",)).get_content()).group(0)
    raise AssertionError(f"no e-mail to {recipient}")


@pytest.mark.browser
@pytest.mark.parametrize("clinic", list(CLINICS))
def test_like_comment_and_subscribe(demo, app, live_server, page, viewport, clinic, quick_forms):
    host = CLINICS[clinic]
    post_url = live_server.url(host, f"/blog/{SAMPLE_POST[clinic]}")
    page.goto(post_url)
    assert_healthy(page)

    # Like: counted in place by engage.js; a second like from this browser counts once.
    like = page.locator("form.like")
    status = like.locator("[data-like-status]")
    like.get_by_role("button", name="Like this post").click()
    expect(status).to_have_text("Thank you for liking this post.")
    expect(like.locator("[data-like-count]")).to_have_text("1 like")
    page.reload()
    expect(like.locator("[data-like-count]")).to_have_text("1 like")
    like.get_by_role("button", name="Like this post").click()
    expect(status).to_have_text("You have already liked this post. Thank you!")
    expect(like.locator("[data-like-count]")).to_have_text("1 like")
    assert page.context.cookies(post_url) == []  # no cookie for the reading page itself

    # Comment: engage.js fetches the stamp on first touch, so it goes straight through.
    form = page.locator("section.comments form")
    form.get_by_label("Name (shown with your comment)").fill("Ada Reader")
    expect(form.locator("input[name=stamp]")).not_to_have_value("")
    form.get_by_label("E-mail", exact=True).fill(f"ada-{viewport}@example.com")
    text = f"Is it safe during pregnancy? ({viewport})"
    form.get_by_label("Your comment", exact=True).fill(text)
    with page.expect_navigation():
        form.get_by_role("button", name="Post comment").click()
    assert page.locator("h1").inner_text() == "Thank you for your comment"
    assert_healthy(page)
    page.goto(post_url)
    assert text not in page.locator("section.comments").inner_text()  # held

    # Approve it in the studio (another browser profile, signed in as an editor).
    studio = page.context.browser.new_context(viewport=page.viewport_size)
    try:
        desk = studio.new_page()
        editor = f"editor-{viewport}@{clinic}.example.com"
        build_member(app, demo[clinic], "editor", email=editor)
        desk.goto(live_server.url(host, "/studio/sign-in"))
        desk.get_by_label("E-mail address").fill(editor)
        desk.get_by_label("Password").fill(PASSWORD)
        with desk.expect_navigation():
            desk.get_by_role("button", name="Sign in", exact=True).click()
        desk.goto(live_server.url(host, "/studio/comments"))
        assert text in desk.locator(".comment-queue").inner_text()
        with desk.expect_navigation():
            desk.get_by_role("button", name="Approve the comment by Ada Reader").click()
        assert "Approved: 1 comment." in desk.locator(".flashes").inner_text()
    finally:
        studio.close()
    page.goto(post_url)
    assert text in page.locator("section.comments").inner_text()
    assert page.locator("#comments-heading").inner_text() == "1 comment"

    # Subscribe, then confirm from the e-mail: the link opens a page, the button confirms.
    address = f"reader-{clinic}-{viewport}@example.com"
    subscribe = page.locator("form.subscribe-form")
    subscribe.get_by_label("Your e-mail address").fill(address)
    expect(subscribe.locator("input[name=stamp]")).not_to_have_value("")
    with page.expect_navigation():
        subscribe.get_by_role("button", name="Subscribe").click()
    assert page.locator("h1").inner_text() == "Check your inbox"
    link = urlsplit(inbox_link(app, address))
    page.goto(live_server.url(host, link.path))
    assert page.locator("h1").inner_text() == "Confirm your subscription"
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, subscribe me").click()
    assert page.locator("h1").inner_text() == "You’re subscribed"
    assert_healthy(page)
    with app.app_context():
        assert db.session.scalars(select(Subscriber.status)).all() == ["confirmed"]


def _linked_pages(app, clinic: str) -> dict[str, str]:
    """Paths of the pages behind an e-mailed link, for a fresh subscriber of `clinic`."""
    with app.app_context():
        tenant = db.session.scalars(select(Tenant).filter_by(slug=clinic)).one()
        subscriber = Subscriber(tenant_id=tenant.id, email="audit@example.com", status="pending")
        db.session.add(subscriber)
        db.session.commit()
        return {
            "confirm": f"/subscribe/confirm/{confirm_token(subscriber)}",
            "unsubscribe": f"/unsubscribe/{unsubscribe_token(subscriber)}",
            "bad-link": "/unsubscribe/not-a-real-token",
        }


@pytest.mark.browser
@pytest.mark.axe
@pytest.mark.parametrize("clinic", list(CLINICS))
def test_axe_on_form_errors_and_linked_pages(demo, app, live_server, audit_page, clinic):
    host = CLINICS[clinic]
    checked = []
    audit_page.goto(live_server.url(host, f"/blog/{SAMPLE_POST[clinic]}"))
    with audit_page.expect_navigation():
        audit_page.get_by_role("button", name="Post comment").click()
    assert audit_page.locator("section.comments [aria-invalid=true]").count() == 3
    checked.append(("comment errors", run_axe(audit_page)))
    audit_page.goto(live_server.url(host, "/contact"))
    with audit_page.expect_navigation():
        audit_page.get_by_role("button", name="Send message").click()
    assert audit_page.locator("section.contact-form [aria-invalid=true]").count() == 3
    checked.append(("contact errors", run_axe(audit_page)))
    for name, path in _linked_pages(app, clinic).items():
        audit_page.goto(live_server.url(host, path))
        checked.append((name, run_axe(audit_page)))
    problems = [f"{name}:\n{format_axe(found)}" for name, found in checked if found]
    assert problems == [], "axe violations:\n" + "\n".join(problems)


@pytest.mark.vnu
def test_nu_html_checker_on_form_errors_and_linked_pages(
    demo, app, client_for, tmp_path, require_tools
):
    require_tools("vnu")
    files = []
    for clinic, host in CLINICS.items():
        client = client_for(host)
        pages = {
            "comment-errors": client.post(f"/comments/{SAMPLE_POST[clinic]}", data={}),
            "contact-errors": client.post("/message", data={"body": "x" * 6000}),
            "subscribe-errors": client.post("/subscribe", data={"email": "nope"}),
            "like-again": client.post(f"/likes/{SAMPLE_POST[clinic]}")
            and client.post(f"/likes/{SAMPLE_POST[clinic]}"),
            "refused": client.post("/subscribe", headers={"Origin": "https://evil.example"}),
        }
        for name, path in _linked_pages(app, clinic).items():
            pages[name] = client.get(path)
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


def _studio_world(app, demo) -> dict[str, dict[str, int]]:
    """Per demo clinic: an owner, a waiting comment, a message, subscribers, a mailing."""
    from datetime import timedelta

    from meridian.engagement.mailings import queue_new_post_mails
    from meridian.models import Comment, ContactMessage, Post, utcnow

    ids = {}
    for slug, tenant in demo.items():
        build_member(app, tenant, "owner", email=f"owner@{slug}.example.com")
        with app.app_context():
            post = db.session.scalars(
                select(Post).where(Post.tenant_id == tenant.id, Post.slug == SAMPLE_POST[slug])
            ).one()
            comment = Comment(
                tenant_id=tenant.id,
                post_id=post.id,
                author_name="Ada Reader",
                author_email="ada@example.com",
                body="Does it hurt?\n\nI read https://example.org/needles first.",
            )
            message = ContactMessage(
                tenant_id=tenant.id, name="Bo", email="bo@example.com", body="Parking nearby?"
            )
            db.session.add_all([comment, message])
            for i, status in enumerate(("confirmed", "confirmed", "pending")):
                db.session.add(
                    Subscriber(
                        tenant_id=tenant.id,
                        email=f"s{i}@example.com",
                        status=status,
                        confirmed_at=utcnow() - timedelta(days=400)
                        if status == "confirmed"
                        else None,
                    )
                )
            db.session.commit()
            ids[slug] = {"comment": comment.id, "message": message.id}
    with app.app_context():
        queue_new_post_mails()
    return ids


STUDIO_PAGES = (
    "/studio/comments",
    "/studio/comments/{comment}/reply",
    "/studio/subscribers",
    "/studio/messages",
    "/studio/messages/{message}",
)


@pytest.mark.browser
@pytest.mark.axe
@pytest.mark.parametrize("clinic", ["zak-clinic"])
def test_axe_and_console_on_the_studio_pages(demo, app, live_server, audit_page, clinic):
    """One clinic (the studio's markup does not vary by clinic), both widths."""
    ids = _studio_world(app, demo)[clinic]
    host = CLINICS[clinic]
    audit_page.goto(live_server.url(host, "/studio/sign-in"))
    audit_page.get_by_label("E-mail address").fill(f"owner@{clinic}.example.com")
    audit_page.get_by_label("Password").fill(PASSWORD)
    with audit_page.expect_navigation():
        audit_page.get_by_role("button", name="Sign in", exact=True).click()
    checked = []
    for path in STUDIO_PAGES:
        response = audit_page.goto(live_server.url(host, path.format(**ids)))
        assert response is not None and response.status == 200, path
        checked.append((path, run_axe(audit_page)))
        overflow = audit_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    audit_page.goto(live_server.url(host, "/studio/comments"))
    with audit_page.expect_navigation():
        audit_page.get_by_role("button", name="Delete… the comment by Ada Reader").click()
    assert audit_page.locator("h1").inner_text() == "Delete 1 comment?"
    checked.append(("delete", run_axe(audit_page)))
    problems = [f"{name}:\n{format_axe(found)}" for name, found in checked if found]
    assert problems == [], "axe violations:\n" + "\n".join(problems)


@pytest.mark.vnu
def test_nu_html_checker_on_the_studio_pages(demo, app, signed_in_client, tmp_path, require_tools):
    require_tools("vnu")
    world = _studio_world(app, demo)
    files = []
    for clinic, ids in world.items():
        client = signed_in_client(demo[clinic], "owner", email=f"vnu@{clinic}.example.com")
        pages = {path: client.get(path.format(**ids)) for path in STUDIO_PAGES}
        pages["delete"] = client.post(
            "/studio/comments",
            data={"csrf_token": client.csrf, "one": f"delete:{ids['comment']}"},
        )
        pages["reply-error"] = client.post(
            f"/studio/comments/{ids['comment']}/reply", data={"csrf_token": client.csrf}
        )
        for name, response in pages.items():
            assert response.status_code in (200, 422), (clinic, name)
            file = tmp_path / f"{clinic}--{name.strip('/').replace('/', '-')}.html"
            file.write_bytes(response.data)
            files.append(file)
    problems = [
        f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m['message']}"
        for m in run_vnu(files)
        if m["type"] in {"error", "non-document-error"}
    ]
    assert problems == [], "Nu HTML Checker errors:\n" + "\n".join(problems)
