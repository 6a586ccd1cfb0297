"""Nothing typed is lost: a lost CSRF token, a session that ended, and autosave."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from meridian.extensions import db
from meridian.models import PostRevision

from ..factories import csrf_token, row_counts
from .helpers import one_post, post_form, posts, revisions_of

WORDS = "Two hours of careful writing.\n\nSecond paragraph."


@pytest.fixture
def clinic(make_tenant):
    return make_tenant("clinic-a")


@pytest.fixture
def owner(clinic, signed_in_client):
    return signed_in_client(clinic, "owner", name="Olive Owner")


def test_a_lost_csrf_token_brings_the_editor_back_with_every_word(app, owner):
    before = row_counts(app)
    response = post_form(owner, "/studio/posts/new", token="", title="Long read", body_md=WORDS)
    assert response.status_code == 400
    assert "security check had expired" in response.text
    assert WORDS in response.text and 'value="Long read"' in response.text
    assert row_counts(app) == before
    # The page carries a fresh token: saving again works.
    again = post_form(
        owner,
        "/studio/posts/new",
        token=csrf_token(response.text),
        title="Long read",
        body_md=WORDS,
    )
    assert again.status_code == 302 and one_post(app, slug="long-read").body_md == WORDS


def test_an_ended_session_gets_the_words_back_not_a_redirect(app, owner, clinic, client_for):
    post_form(owner, "/studio/posts/new", title="Draft", body_md="x")
    post = one_post(app, slug="draft")
    with owner.session_transaction() as session:  # idle too long: signed out, token kept
        session["auth_seen"] = 0
    before = row_counts(app)
    response = post_form(owner, f"/studio/posts/{post.id}/edit", title="Draft", body_md=WORDS)
    assert response.status_code == 401
    assert "You were signed out" in response.text and WORDS in response.text
    assert f'action="/studio/posts/{post.id}/edit"' in response.text
    assert row_counts(app) == before
    # A stranger posting gets only what they sent, nothing of the clinic's post.
    stranger = client_for(clinic)
    stranger_page = stranger.post(f"/studio/posts/{post.id}/edit", data={"title": "mine"})
    assert stranger_page.status_code in (400, 401) and "Draft" not in stranger_page.text
    assert row_counts(app) == before


def test_other_studio_forms_say_what_happened(owner):
    response = owner.post("/studio/faq/1/move", data={"direction": "up"})
    assert response.status_code == 400 and "Please try again" in response.text


def test_autosave_keeps_a_revision_without_touching_the_post(app, owner, client_for, clinic):
    post_form(owner, "/studio/posts/new", "publish", title="Live", body_md="Published words.")
    post = one_post(app, slug="live")
    for words in ("Half", "Half typed", "Half typed sentence"):
        response = post_form(
            owner, f"/studio/posts/{post.id}/autosave", title="Live", body_md=words
        )
        assert response.status_code == 200 and response.json["saved"] is True
        assert response.json["csrf_token"]
    assert one_post(app, id=post.id).body_md == "Published words."
    assert "Published words." in client_for(clinic).get("/blog/live").text
    assert revisions_of(app, post.id) == [("published", "Live"), ("autosave", "Live")]
    page = owner.get(f"/studio/posts/{post.id}/edit").text
    assert "were kept automatically but never saved" in page


def test_an_autosave_with_a_nul_byte_keeps_the_rest_on_every_engine(app, owner):
    """An autosave is unchecked but must be storable: PostgreSQL's text cannot hold a NUL
    (found by the fuzz walk on PostgreSQL: a 500)."""
    post_form(owner, "/studio/posts/new", title="Draft", body_md="x")
    post = one_post(app, slug="draft")
    response = post_form(
        owner,
        f"/studio/posts/{post.id}/autosave",
        title="Dra\x00ft",
        body_md="Half\x00 typed",
        author="\x00",
        tags="sle\x00ep",
    )
    assert response.status_code == 200 and response.json["saved"] is True
    with app.app_context():
        kept = db.session.scalars(
            select(PostRevision).filter_by(post_id=post.id, kind="autosave")
        ).one()
        assert (kept.title, kept.body_md, kept.author) == ("Draft", "Half typed", "")
    assert one_post(app, id=post.id).body_md == "x"


def test_the_first_autosave_of_a_new_post_makes_it_a_draft(app, owner):
    empty = post_form(owner, "/studio/posts/new/autosave")
    assert empty.json["saved"] is False and posts(app) == []
    response = post_form(owner, "/studio/posts/new/autosave", body_md="Words before a title")
    assert response.json["saved"] is True
    post = one_post(app, title="Untitled draft")
    assert post.status == "draft" and post.body_md == "Words before a title"
    assert response.json["save_url"] == f"/studio/posts/{post.id}/edit"
    assert response.json["autosave_url"] == f"/studio/posts/{post.id}/autosave"


def test_an_autosave_after_the_session_ended_is_not_json(owner):
    with owner.session_transaction() as session:
        session["auth_seen"] = 0
    response = post_form(owner, "/studio/posts/new/autosave", body_md="words")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
