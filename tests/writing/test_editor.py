"""The post editor over HTTP: save, publish, schedule, unpublish, refusals that keep
every word, slugs, revisions, delete, and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ..factories import csrf_token, row_counts
from .helpers import audit, editor_token, one_post, post_form, posts, revisions_of


@pytest.fixture
def clinic(make_tenant):
    return make_tenant("clinic-a", timezone="Europe/London")


@pytest.fixture
def owner(clinic, signed_in_client):
    return signed_in_client(clinic, "owner", name="Olive Owner")


def test_an_owner_writes_a_draft_and_it_is_kept_with_a_revision_and_audited(app, owner):
    response = post_form(
        owner,
        "/studio/posts/new",
        title="Sleep and acupuncture",
        body_md="What the **trials** say.<script>alert(1)</script>",
        tags="Sleep, Research",
        excerpt="A short look.",
    )
    assert response.status_code == 302
    post = one_post(app, slug="sleep-and-acupuncture")
    assert response.headers["Location"] == f"/studio/posts/{post.id}/edit"
    assert post.status == "draft" and "<script>" not in post.body_html
    assert sorted(t.name for t in post.tags) == ["Research", "Sleep"]
    assert revisions_of(app, post.id) == [("saved", "Sleep and acupuncture")]
    [event] = audit(app, "post.")
    assert event.action == "post.create" and event.actor_id == owner.user.id
    assert event.target == f"post:{post.id}"
    assert event.details["changes"]["title"] == [None, "Sleep and acupuncture"]
    page = owner.get(response.headers["Location"]).text
    assert "Saved." in page and "Sleep and acupuncture" in page
    assert owner.get("/blog/sleep-and-acupuncture").status_code == 404  # a draft


def test_publish_update_unpublish(app, owner, client_for, clinic):
    post_form(owner, "/studio/posts/new", "publish", title="Now", body_md="Live words.")
    post = one_post(app, slug="now")
    assert post.status == "published"
    visitor = client_for(clinic)
    assert "Live words." in visitor.get("/blog/now").text
    url = f"/studio/posts/{post.id}/edit"
    post_form(owner, url, "save", title="Now", body_md="Better words.")
    assert "Better words." in visitor.get("/blog/now").text
    assert one_post(app, id=post.id).published_at == post.published_at  # date kept
    response = post_form(owner, url, "unpublish", title="Now", body_md="Better words.")
    assert "no longer on the site" in owner.get(response.headers["Location"]).text
    assert visitor.get("/blog/now").status_code == 404
    kinds = [kind for kind, _ in revisions_of(app, post.id)]
    assert kinds == ["published", "saved", "unpublished"]
    assert [e.action for e in audit(app, "post.")] == [
        "post.create",
        "post.update",
        "post.unpublished",
    ]


def test_a_refused_save_shows_every_word_again_and_writes_nothing(app, owner, make_post, clinic):
    make_post(clinic, "taken", title="Already here")
    before = row_counts(app)
    body = "A long careful text.\n\nWith **two** paragraphs & <angle> brackets."
    response = post_form(
        owner,
        "/studio/posts/new",
        title="Mine",
        slug="taken",
        body_md=body,
        excerpt="Keep me",
        tags="one, two",
        cover_image="/brand/x.jpg",
    )
    assert response.status_code == 200
    page = response.text
    assert "Already here" in page and "taken-2" in page  # the clash, with a way out
    assert 'id="slug-error"' in page and 'aria-invalid="true"' in page
    assert 'id="cover_alt-error"' in page  # every refusal at once
    assert "A long careful text.\n\nWith **two** paragraphs &amp; &lt;angle&gt; brackets." in page
    assert "Keep me</textarea>" in page
    assert 'value="one, two"' in page and "Nothing was saved yet" in page
    assert row_counts(app) == before


def test_a_too_long_body_is_refused_next_to_the_field(app, owner):
    response = post_form(owner, "/studio/posts/new", title="Long", body_md="x" * 100_001)
    assert response.status_code == 200
    assert 'id="body_md-error"' in response.text and "100,000" in response.text
    assert posts(app) == []


def _local(zone: str, delta: timedelta) -> datetime:
    return (datetime.now(UTC) + delta).astimezone(ZoneInfo(zone))


def test_scheduling_in_the_clinics_zone(app, owner, client_for, clinic):
    when = _local("Europe/London", timedelta(days=2))
    response = post_form(
        owner,
        "/studio/posts/new",
        "schedule",
        title="Later",
        body_md="Soon.",
        publish_date=when.strftime("%Y-%m-%d"),
        publish_time=when.strftime("%H:%M"),
    )
    assert response.status_code == 302
    post = one_post(app, slug="later")
    assert post.status == "scheduled"
    assert post.published_at == when.replace(second=0, microsecond=0).astimezone(UTC)
    page = owner.get(response.headers["Location"]).text
    assert "will appear on the site" in page and when.strftime("%H:%M") in page
    assert client_for(clinic).get("/blog/later").status_code == 404


@pytest.mark.parametrize(
    ("day", "clock", "message"),
    [
        ("2020-01-01", "09:00", "has passed"),
        ("2031-03-30", "01:30", "does not exist in Europe/London"),
        ("", "", "Choose the date and the time"),
        ("not-a-date", "25:99", "Not a valid"),
    ],
)
def test_a_schedule_in_the_past_or_in_a_dst_gap_is_refused(app, owner, day, clock, message):
    response = post_form(
        owner,
        "/studio/posts/new",
        "schedule",
        title="Timed",
        body_md="Words kept.",
        publish_date=day,
        publish_time=clock,
    )
    assert response.status_code == 200
    assert message in response.text and 'id="schedule-error"' in response.text
    assert "Words kept." in response.text and posts(app) == []


def test_renaming_a_published_post_keeps_the_old_address(app, owner, client_for, clinic):
    post_form(owner, "/studio/posts/new", "publish", title="Old name", body_md="x")
    post = one_post(app, slug="old-name")
    post_form(
        owner, f"/studio/posts/{post.id}/edit", title="New name", slug="new-name", body_md="x"
    )
    visitor = client_for(clinic)
    response = visitor.get("/blog/old-name")
    assert (response.status_code, response.headers["Location"]) == (301, "/blog/new-name")
    assert visitor.get("/blog/new-name").status_code == 200


def test_revisions_list_view_restore_and_open_in_editor(app, owner):
    post_form(owner, "/studio/posts/new", title="First", body_md="one")
    post = one_post(app, slug="first")
    url = f"/studio/posts/{post.id}/edit"
    post_form(owner, url, title="Second", slug="first", body_md="two")
    listing = owner.get(f"/studio/posts/{post.id}/revisions").text
    assert listing.count("<td>Olive Owner</td>") == 2
    with app.app_context():
        from meridian.extensions import db
        from meridian.models import PostRevision

        first = db.session.scalars(db.select(PostRevision).filter_by(title="First")).one().id
    shown = owner.get(f"/studio/posts/{post.id}/revisions/{first}")
    assert shown.status_code == 200 and "<p>one</p>" in shown.text
    opened = owner.get(f"{url}?revision={first}").text
    assert "one</textarea>" in opened and "Nothing changes until you save it" in opened
    assert one_post(app, id=post.id).title == "Second"  # looking changes nothing
    restored = owner.post(
        f"/studio/posts/{post.id}/revisions/{first}/restore",
        data={"csrf_token": csrf_token(shown.text)},
    )
    assert restored.status_code == 302
    assert one_post(app, id=post.id).body_md == "one"
    assert [k for k, _ in revisions_of(app, post.id)] == ["saved", "saved", "restored"]


def test_delete_asks_first_then_removes_the_post(app, owner):
    post_form(owner, "/studio/posts/new", "publish", title="Gone soon", body_md="x")
    post = one_post(app, slug="gone-soon")
    ask = owner.get(f"/studio/posts/{post.id}/delete")
    assert ask.status_code == 200 and "cannot be undone" in ask.text
    assert len(posts(app)) == 1  # asking changes nothing
    response = owner.post(
        f"/studio/posts/{post.id}/delete", data={"csrf_token": csrf_token(ask.text)}
    )
    assert response.status_code == 302 and posts(app) == []
    assert audit(app, "post.delete")[0].details["changes"]["title"] == ["Gone soon", None]


def test_the_list_searches_and_filters(app, owner, make_post, clinic):
    make_post(clinic, "sleep", title="Sleep well", body="About rest.", tags=("sleep",))
    make_post(clinic, "stress", title="Stress", body="About SLEEP too.", published_at=None)
    make_post(clinic, "later", title="Later on", published_at=datetime.now(UTC) + timedelta(days=3))

    def titles(**query):
        page = owner.get("/studio/posts", query_string=query).text
        return [t for t in ("Sleep well", "Stress", "Later on") if f">{t}</a>" in page]

    assert titles() == ["Sleep well", "Stress", "Later on"]
    assert titles(q="sleep") == ["Sleep well", "Stress"]
    assert titles(status="draft") == ["Stress"]
    assert titles(status="scheduled") == ["Later on"]
    assert titles(status="published") == ["Sleep well"]
    assert titles(tag="sleep") == ["Sleep well"]
    # Odd input is ignored, never a 500; a NUL byte (which would break a PostgreSQL
    # query) is refused for every route before any view runs (meridian.params).
    assert titles(status="bogus", page="²", q="\u2028", tag="x" * 500) == [
        "Sleep well",
        "Stress",
        "Later on",
    ]
    assert owner.get("/studio/posts", query_string={"q": "\x00"}).status_code == 400
    assert owner.get("/studio/posts", query_string={"page": "99999999999999"}).status_code == 200


def test_the_home_page_lists_what_needs_attention(app, owner, make_post, clinic, signed_in_client):
    make_post(clinic, "draft-one", title="A draft", published_at=None)
    make_post(clinic, "queued", title="Queued", published_at=datetime.now(UTC) + timedelta(days=1))
    page = owner.get("/studio/").text
    assert 'Drafts <span class="count">(1)</span>' in page and ">A draft</a>" in page
    assert "Scheduled posts" in page and ">Queued</a>" in page
    desk = signed_in_client(clinic, "front_desk").get("/studio/").text
    assert "A draft" not in desk and "Write a new post" not in desk


def test_an_editor_may_write_and_the_front_desk_may_not(app, clinic, signed_in_client):
    editor = signed_in_client(clinic, "editor")
    assert post_form(editor, "/studio/posts/new", title="By the editor").status_code == 302
    desk = signed_in_client(clinic, "front_desk")
    before = row_counts(app)
    for url in ("/studio/posts", "/studio/posts/new", "/studio/faq"):
        assert desk.get(url).status_code == 403
    assert post_form(desk, "/studio/posts/new", title="Nope").status_code == 403
    assert row_counts(app) == before


def test_editor_token_helper(owner):
    assert editor_token(owner, "/studio/posts/new")
