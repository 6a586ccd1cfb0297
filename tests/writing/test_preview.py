"""Previews: the editor's (unsaved) and shareable signed links for people without an account."""

from __future__ import annotations

import re

import pytest

from ..factories import row_counts
from .helpers import audit, one_post, post_form


@pytest.fixture
def clinic(make_tenant):
    return make_tenant("clinic-a")


@pytest.fixture
def owner(clinic, signed_in_client):
    return signed_in_client(clinic, "owner")


def _share(owner, post_id: int) -> str:
    response = owner.post(f"/studio/posts/{post_id}/share", data={"csrf_token": owner.csrf})
    assert response.status_code == 302
    page = owner.get(response.headers["Location"]).text
    match = re.search(
        r'id="preview-link" type="text" readonly value="http://clinic-a.test(/preview/[^"]+)"', page
    )
    assert match, "no preview link on the editor"
    return match.group(1)


def test_the_editor_preview_is_the_public_page_unsaved(app, owner):
    response = post_form(
        owner,
        "/studio/posts/preview",
        title="Draft title",
        seo_title="Search title",
        body_md="## Heading\n\nHello <script>alert(1)</script> **world**",
        tags="Sleep",
    )
    assert response.status_code == 200
    page = response.text
    assert "<title>Search title — Clinic A</title>" in page  # the public template
    assert '<div class="prose"><h2>Heading</h2>' in page and "<strong>world</strong>" in page
    assert "<script>alert" not in page  # the same sanitiser
    assert 'class="preview-banner"' in page and "not saved and not published" in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response.headers["Cache-Control"] == "private, no-store"
    assert row_counts(app)["post"] == 0  # nothing saved


def test_a_shared_link_shows_the_saved_draft_to_anyone_and_is_never_cached(
    app, owner, client_for, clinic
):
    post_form(owner, "/studio/posts/new", title="Not yet", body_md="Draft words.")
    post = one_post(app, slug="not-yet")
    link = _share(owner, post.id)
    assert audit(app, "post.preview_link")[0].target == f"post:{post.id}"
    visitor = client_for(clinic)
    response = visitor.get(link)
    assert response.status_code == 200
    assert "Draft words." in response.text and "a draft, not published yet" in response.text
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in response.text
    assert "Set-Cookie" not in response.headers
    # It shows what is saved now, not what was saved when the link was made.
    post_form(owner, f"/studio/posts/{post.id}/edit", title="Not yet", body_md="Newer words.")
    assert "Newer words." in visitor.get(link).text
    # Once published, the link leads to the public page.
    post_form(owner, f"/studio/posts/{post.id}/edit", "publish", title="Not yet", body_md="x")
    moved = visitor.get(link)
    assert (moved.status_code, moved.headers["Location"]) == (302, "/blog/not-yet")


def test_tampered_expired_and_other_clinics_links_are_refused(
    app, owner, client_for, clinic, make_tenant, signed_in_client, monkeypatch
):
    post_form(owner, "/studio/posts/new", title="Secret", body_md="Draft.")
    link = _share(owner, one_post(app, slug="secret").id)
    visitor = client_for(clinic)
    assert visitor.get(link[:-3] + "abc").status_code == 404
    other = make_tenant("clinic-b")
    assert client_for(other).get(link).status_code == 404  # replayed on another clinic
    import itsdangerous.timed

    later = itsdangerous.timed.time.time() + 8 * 86_400
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    expired = visitor.get(link)
    assert expired.status_code == 410 and "expired" in expired.text


def test_the_preview_of_a_saved_post_keeps_its_status(app, owner):
    post_form(owner, "/studio/posts/new", "publish", title="Live", body_md="Old")
    post = one_post(app, slug="live")
    response = post_form(
        owner, f"/studio/posts/{post.id}/preview", title="Live", body_md="New words"
    )
    assert response.status_code == 200 and "New words" in response.text
    assert one_post(app, id=post.id).body_md == "Old"
