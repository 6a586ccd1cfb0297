"""The studio's writing pages in Chromium, on both clinics.

The journey: the owner signs in, uploads a photo taken on a phone (sideways by EXIF,
with GPS: every stored copy is upright and clean), writes a post with it as the cover,
shares a preview link that a visitor
without an account opens, schedules the post (it appears at its time and not before),
an editor edits it, and the front desk cannot open it. Every writing page is checked
with axe (under the real CSP), for console errors and sideways scrolling, at 1280 and
390 px; the Nu HTML Checker reads each page once. Screenshots of the editor at both
widths are kept in test-artifacts/screenshots/.
"""

from __future__ import annotations

import io
import re
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import select

from meridian.extensions import db
from meridian.media.storage import storage
from meridian.models import MediaItem, Post
from tests.browser.audit_pages import CLINICS
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_audits import run_vnu
from tests.browser.test_second_factor_browser import assert_clean, sign_in_with_password
from tests.media.samples import phone_photo

pytestmark = pytest.mark.browser
SCREENSHOTS = ARTIFACTS / "screenshots"
ZONES = {"acute-acupuncture": "Pacific/Auckland", "zak-clinic": "Europe/London"}


def _post(app, title: str) -> Post:
    with app.app_context():
        post = db.session.scalars(select(Post).filter_by(title=title)).one()
        db.session.expunge(post)
        return post


def _publish_in(app, post_id: int, seconds: float) -> datetime:
    """Move a scheduled post's time close, through the database, instead of waiting days."""
    with app.app_context():
        post = db.session.get(Post, post_id)
        post.published_at = datetime.now(UTC) + timedelta(seconds=seconds)
        db.session.commit()
        return post.published_at


def _assert_upright_and_clean(app, media_id: int | None) -> None:
    """Every stored copy of the phone photo is upright (portrait) and has no EXIF/GPS."""
    assert media_id is not None
    with app.app_context():
        item = db.session.get(MediaItem, media_id)
        assert (item.width, item.height) == (300, 400)
        keys = item.storage_keys()
        assert keys
        for key in keys:
            copy = Image.open(io.BytesIO(storage().get(key)))
            assert copy.height > copy.width, key
            assert not copy.getexif() and "exif" not in copy.info, key


def _write(page, title: str, body: str) -> None:
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Text", exact=True).fill(body)
    page.get_by_label("Tags").fill("News, Research")
    page.get_by_label("Excerpt").fill("What the studies say, in brief.")


@pytest.mark.parametrize("clinic", list(CLINICS))
def test_owner_writes_shares_schedules_editor_edits_front_desk_refused(
    demo, app, live_server, page, browser, clinic, viewport, make_member, tmp_path, require_tools
):
    tenant = demo[clinic]
    for role in ("owner", "editor", "front_desk"):
        make_member(tenant, role, email=f"{role}@{clinic}.test")
    host = CLINICS[clinic]
    base = live_server.url(host, "/studio")
    pages: list = []
    title = f"Winter opening hours at {tenant.name}"

    sign_in_with_password(page, base, f"owner@{clinic}.test")
    assert page.url.endswith("/studio/")
    assert_clean(page, pages)
    # A photo taken on a phone: stored sideways (EXIF orientation 6), carrying GPS.
    sample = tmp_path / "IMG_2041.JPG"
    sample.write_bytes(phone_photo())
    page.goto(base + "/media")
    page.get_by_label("Photo", exact=True).set_input_files(str(sample))
    page.get_by_label("Describe the photo").fill("The front door")
    with page.expect_navigation():
        page.get_by_role("button", name="Upload").click()
    assert page.get_by_text("Uploaded IMG_2041.JPG.").is_visible()
    page.goto(base + "/")
    with page.expect_navigation():
        page.get_by_role("link", name="Write a new post").click()
    assert page.get_by_role("toolbar", name="Formatting").is_visible()  # the script ran
    assert_clean(page, pages)
    _write(page, title, "Our **winter** hours.\n\n## Booking\n\nBook online any time.")
    page.get_by_role("radio", name="IMG_2041.JPG").check()
    page.get_by_label("Describe the cover image").fill("Our front door in winter")
    page.get_by_label("Text", exact=True).press("End")
    page.get_by_role("button", name=re.compile("^Bold")).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()
    assert page.get_by_text("Saved.").is_visible()
    post = _post(app, title)
    assert post.status == "draft" and "**bold words**" in post.body_md
    _assert_upright_and_clean(app, post.cover_media_id)
    assert_clean(page, pages)
    page.screenshot(
        path=str(SCREENSHOTS / f"post-editor-{clinic}-{page.viewport_size['width']}.png"),
        full_page=True,
    )

    # A preview link for someone without an account.
    with page.expect_navigation():
        page.get_by_role("button", name="Create a preview link").click()
    link = page.get_by_label(re.compile("Anyone with this link")).input_value()
    assert link.startswith(f"http://{host}/preview/")
    visitor_context = browser.new_context(viewport=page.viewport_size)
    visitor = visitor_context.new_page()
    response = visitor.goto(link.replace(host, f"{host}:{live_server.port}", 1))
    assert response.status == 200 and response.headers["cache-control"] == "private, no-store"
    assert visitor.get_by_role("complementary", name="Preview notice").is_visible()
    assert visitor.get_by_role("heading", level=1, name=title).is_visible()
    assert visitor.get_by_role("img", name="Our front door in winter").is_visible()
    assert visitor.locator('meta[name="robots"]').get_attribute("content") == "noindex, nofollow"
    assert visitor_context.cookies() == []

    # Scheduled two days ahead in the clinic's zone: not on the site before its time.
    when = (datetime.now(UTC) + timedelta(days=2)).astimezone(ZoneInfo(ZONES[clinic]))
    page.get_by_label("Date").fill(when.strftime("%Y-%m-%d"))
    page.get_by_label("Time").fill(when.strftime("%H:%M"))
    with page.expect_navigation():
        page.get_by_role("button", name="Schedule", exact=True).click()
    assert page.get_by_text("will appear on the site").is_visible()
    assert _post(app, title).status == "scheduled"
    public = live_server.url(host, f"/blog/{post.slug}")
    assert visitor.goto(public).status == 404
    assert title not in visitor.goto(live_server.url(host, "/blog")).text()
    due = _publish_in(app, post.id, 3)
    assert visitor.goto(public).status == 404  # still not before its time
    time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 0.2)
    assert visitor.goto(public).status == 200  # at its time, with no edit
    assert title in visitor.goto(live_server.url(host, "/blog")).text()
    visitor_context.close()

    # The editor edits it (a new session in a new browser context).
    editor_context = browser.new_context(viewport=page.viewport_size)
    editor = editor_context.new_page()
    editor.console = page.console
    sign_in_with_password(editor, base, f"editor@{clinic}.test")
    editor.goto(base + "/posts")
    assert_clean(editor, pages)
    with editor.expect_navigation():
        editor.get_by_role("link", name=title).click()
    editor.get_by_label("Title", exact=True).fill(title + " (updated)")
    with editor.expect_navigation():
        editor.get_by_role("button", name="Update").click()
    assert editor.get_by_text("the site shows the new version").is_visible()
    editor.goto(base + f"/posts/{post.id}/revisions")
    assert_clean(editor, pages)
    assert editor.get_by_role("cell", name="Editor").first.is_visible()
    editor_context.close()

    # The front desk cannot open it.
    desk_context = browser.new_context(viewport=page.viewport_size)
    desk = desk_context.new_page()
    sign_in_with_password(desk, base, f"front_desk@{clinic}.test")
    assert (
        desk.get_by_role("navigation", name="Studio").get_by_role("link", name="Posts").count() == 0
    )
    assert desk.goto(base + f"/posts/{post.id}/edit").status == 403
    assert desk.goto(base + "/posts").status == 403
    desk_context.close()

    if page.viewport_size["width"] == 1280:  # one Nu run per clinic covers the HTML
        require_tools("vnu")
        files = []
        for index, (_url, html) in enumerate(pages):
            path = tmp_path / f"page-{index}.html"
            path.write_text(html, encoding="utf-8")
            files.append(path)
        assert_nu_clean(files)


def _seed(app, tenant_id: int) -> dict[str, int]:
    """A post with two revisions and a question, through the write path."""
    from meridian.content import PostData, faqs, save_post
    from meridian.models import PostRevision, Tenant

    with app.app_context():
        tenant = db.session.get(Tenant, tenant_id)
        post = save_post(tenant, None, PostData(title="Draft for the audit", body_md="One.")).post
        data = PostData.of(post)
        data.body_md = "One.\n\n## Two\n\n- a list\n- of things"
        save_post(tenant, post, data)
        faq, _ = faqs.save_faq(tenant, None, "Is there parking nearby?", "Yes, on the street.")
        db.session.commit()
        revision = db.session.scalars(select(PostRevision.id).filter_by(post_id=post.id)).first()
        return {"post": post.id, "revision": revision, "faq": faq.id}


@pytest.mark.axe
@pytest.mark.parametrize("clinic", list(CLINICS))
def test_every_writing_page_passes_axe_and_nu_without_console_errors(
    demo, app, live_server, page, clinic, viewport, make_member, tmp_path, require_tools
):
    tenant = demo[clinic]
    make_member(tenant, "owner", email=f"owner@{clinic}.test")
    ids = _seed(app, tenant.id)
    base = live_server.url(CLINICS[clinic], "/studio")
    sign_in_with_password(page, base, f"owner@{clinic}.test")
    pages: list = []
    for path in (
        "/",
        "/posts",
        "/posts?status=draft&q=audit",
        "/posts/new",
        f"/posts/{ids['post']}/edit",
        f"/posts/{ids['post']}/edit?revision={ids['revision']}",
        f"/posts/{ids['post']}/revisions",
        f"/posts/{ids['post']}/revisions/{ids['revision']}",
        f"/posts/{ids['post']}/delete",
        "/faq",
        "/faq/new",
        f"/faq/{ids['faq']}/edit",
        f"/faq/{ids['faq']}/delete",
    ):
        response = page.goto(base + path)
        assert response.status == 200, path
        assert_clean(page, pages)

    # Refusals, shown with their messages next to the fields.
    page.goto(base + "/posts/new")
    page.get_by_label("Text", exact=True).fill("Words without a title.")
    page.get_by_label("Date").fill("2020-01-01")
    page.get_by_label("Time").fill("09:00")
    with page.expect_navigation():
        page.get_by_role("button", name="Schedule", exact=True).click()
    assert page.get_by_role("alert").first.is_visible()
    assert page.get_by_label("Text", exact=True).input_value() == "Words without a title."
    assert_clean(page, pages)
    page.goto(base + "/faq/new")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the question").click()
    assert page.locator("#question-error").is_visible()
    assert_clean(page, pages)

    # The editor's preview (a new tab) and a shared preview link: the public page.
    page.goto(base + f"/posts/{ids['post']}/edit")
    with page.expect_popup() as popup:
        page.get_by_role("button", name=re.compile("^Preview")).click()
    preview = popup.value
    preview.wait_for_load_state()
    preview.console = page.console
    assert preview.get_by_role("complementary", name="Preview notice").is_visible()
    assert_clean(preview, pages)
    preview.close()
    with page.expect_navigation():
        page.get_by_role("button", name="Create a preview link").click()
    assert_clean(page, pages)
    link = page.get_by_label(re.compile("Anyone with this link")).input_value()
    page.goto(link.replace(CLINICS[clinic], f"{CLINICS[clinic]}:{live_server.port}", 1))
    assert_clean(page, pages)

    if page.viewport_size["width"] == 1280:
        require_tools("vnu")
        files = []
        for index, (_url, html) in enumerate(pages):
            path = tmp_path / f"page-{index}.html"
            path.write_text(html, encoding="utf-8")
            files.append(path)
        files.append(live_server_css(tmp_path))
        assert_nu_clean(files)


def live_server_css(tmp_path):
    from tests.browser.conftest import ROOT

    return ROOT / "platform" / "meridian" / "static" / "css" / "studio-writing.css"


def test_a_post_can_be_written_and_saved_by_keyboard_alone(
    demo, app, live_server, page, make_member
):
    clinic = "zak-clinic"
    make_member(demo[clinic], "editor", email=f"editor@{clinic}.test")
    base = live_server.url(CLINICS[clinic], "/studio")
    sign_in_with_password(page, base, f"editor@{clinic}.test")
    page.goto(base + "/posts/new")
    page.get_by_label("Title", exact=True).focus()
    page.keyboard.type("Typed by keyboard")
    page.keyboard.press("Tab")  # the hint's link to the formatting help
    assert page.evaluate("document.activeElement.textContent") == "Formatting help"
    page.keyboard.press("Tab")  # the formatting toolbar: one tab stop
    assert page.evaluate("document.activeElement.dataset.format") == "bold"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.format") == "italic"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "body_md"
    page.keyboard.type("Some ")
    page.keyboard.press("Control+b")
    for _ in range(40):  # on to the first button of the Publishing panel
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Save draft":
            break
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # a visible focus ring
    with page.expect_navigation():
        page.keyboard.press("Enter")
    post = _post(app, "Typed by keyboard")
    assert post.body_md == "Some **bold words**"
    assert page.console.errors == []


def assert_nu_clean(files) -> None:
    errors = [
        f"{m.get('url', '?').rsplit('/', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}"
        f" | {(m.get('extract') or '').strip()[:120]}"
        for m in run_vnu(files)
        if m["type"] in {"error", "non-document-error"}
    ]
    assert errors == [], "Nu HTML Checker errors:\n" + "\n".join(errors)
