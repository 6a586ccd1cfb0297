"""The one write path for posts: rules, revisions, redirects, versions and the audit hook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from meridian.content import (
    ContentInvalid,
    PostData,
    autosave,
    content_changed,
    delete_post,
    restore,
    revisions,
    save_post,
)
from meridian.extensions import db
from meridian.models import MediaItem, Post, PostRevision, Redirect, Tenant


def _tenant(slug: str) -> Tenant:
    return db.session.scalars(select(Tenant).filter_by(slug=slug)).one()


def _count(model, **by) -> int:
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**by))


def _published(days_ago: int = 1) -> datetime:
    return datetime.now(UTC) - timedelta(days=days_ago)


@pytest.fixture
def clinic(make_tenant, ctx):
    make_tenant("clinic-a")
    make_tenant("clinic-b")
    return _tenant("clinic-a")


def test_a_new_post_is_rendered_sanitised_tagged_and_kept_as_a_revision(clinic):
    version = clinic.content_version
    saved = save_post(
        clinic,
        None,
        PostData(
            title="  Sleep & acupuncture — what we know ",
            body_md='Hello **there**\r\n\r\n<script>alert(1)</script><a href="javascript:x()">x</a>\n\n',
            tags=["Sleep", "Research", "sleep"],
        ),
        actor="Ada Owner",
    )
    db.session.commit()
    post = saved.post
    assert saved.created and post.slug == "sleep-acupuncture-what-we-know"
    assert post.title == "Sleep & acupuncture — what we know"
    assert (
        post.body_md == 'Hello **there**\n\n<script>alert(1)</script><a href="javascript:x()">x</a>'
    )
    assert "<strong>there</strong>" in post.body_html
    assert "script" not in post.body_html and "javascript" not in post.body_html
    assert [t.slug for t in post.tags] == ["research", "sleep"]  # "sleep" once
    assert post.status == "draft"
    [revision] = revisions.history(post)
    assert (revision.kind, revision.actor, revision.tags) == (
        "saved",
        "Ada Owner",
        ["Sleep", "Research"],
    )
    db.session.refresh(clinic)
    assert clinic.content_version > version
    assert clinic.studio_edited_at is not None  # a studio write marks the clinic


def test_every_refusal_is_named_by_field_and_nothing_is_written(clinic):
    data = PostData(
        title="Line one\nline two",
        body_md="x" * 100_001,
        cover_image="/media/room.jpg",
        cover_alt="",
        seo_title="s" * 201,
        tags=["!!!"],
    )
    with pytest.raises(ContentInvalid) as refused:
        save_post(clinic, None, data)
    db.session.rollback()
    assert set(refused.value.errors) == {"title", "body_md", "cover_alt", "seo_title", "tags"}
    assert "100,000" in refused.value.errors["body_md"]
    assert "Describe the cover image" in refused.value.errors["cover_alt"]
    assert _count(Post) == 0 and _count(PostRevision) == 0


def test_a_cover_image_from_another_site_is_refused(clinic):
    with pytest.raises(ContentInvalid) as refused:
        save_post(
            clinic,
            None,
            PostData(title="T", cover_image="https://evil.example/x.jpg", cover_alt="x"),
        )
    assert "media library" in refused.value.errors["cover_image"]


def test_a_slug_clash_gets_a_friendly_message_with_a_free_suggestion(clinic, make_post):
    make_post(clinic, "sleep", title="Sleep well")
    make_post(clinic, "sleep-2", title="Sleep again")
    other = _tenant("clinic-b")
    save_post(other, None, PostData(title="Theirs", slug="sleep"))  # another clinic may use it
    with pytest.raises(ContentInvalid) as refused:
        save_post(clinic, None, PostData(title="Mine", slug="sleep"))
    message = refused.value.errors["slug"]
    assert "“Sleep well”" in message and "/blog/sleep" in message and "sleep-3" in message
    # A new post without a slug gets a free one made from its title.
    assert save_post(clinic, None, PostData(title="Sleep")).post.slug == "sleep-3"


@pytest.mark.parametrize("slug", ["-dash", "space here", "ü-umlaut", "a/b", "x" * 121])
def test_malformed_slugs_are_refused(clinic, slug):
    with pytest.raises(ContentInvalid) as refused:
        save_post(clinic, None, PostData(title="T", slug=slug))
    assert "slug" in refused.value.errors


def test_statuses_follow_published_at(clinic):
    post = save_post(clinic, None, PostData(title="T")).post
    assert post.status == "draft"
    later = datetime.now(UTC) + timedelta(hours=2)
    assert save_post(clinic, post, _with(post, published_at=later)).revision.kind == "scheduled"
    assert post.status == "scheduled"
    assert (
        save_post(clinic, post, _with(post, published_at=_published())).revision.kind == "published"
    )
    assert post.status == "published"
    assert save_post(clinic, post, _with(post, published_at=None)).revision.kind == "unpublished"


def _with(post: Post, **changes) -> PostData:
    data = PostData.of(post)
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def test_saving_unchanged_keeps_no_revision_and_bumps_nothing(clinic):
    post = save_post(clinic, None, PostData(title="T", body_md="words")).post
    db.session.commit()
    version = _tenant("clinic-a").content_version
    again = save_post(clinic, post, PostData.of(post))
    db.session.commit()
    assert not again.changed and again.revision is None
    assert len(revisions.history(post)) == 1
    assert _tenant("clinic-a").content_version == version


def test_any_revision_can_be_restored(clinic):
    post = save_post(clinic, None, PostData(title="First", body_md="one")).post
    first = revisions.history(post)[0]
    save_post(clinic, post, _with(post, title="Second", body_md="two", tags=["x"]))
    save_post(clinic, post, _with(post, title="Third", body_md="three"))
    restored = restore(clinic, post, first, actor="Ada")
    db.session.commit()
    assert (post.title, post.body_md, post.tags) == ("First", "one", [])
    assert restored.revision.kind == "restored"
    assert [r.title for r in revisions.history(post)] == ["First", "Third", "Second", "First"]


def test_a_post_made_before_revisions_keeps_its_original_on_first_change(clinic, make_post):
    made = make_post(clinic, "old", body="as it was")
    post = db.session.get(Post, made.id)
    save_post(clinic, post, _with(post, body_md="rewritten"))
    kinds = [(r.kind, r.body_md) for r in revisions.history(post)]
    assert kinds == [("saved", "rewritten"), ("original", "as it was")]


def test_autosaves_coalesce_into_one_revision_per_person(clinic):
    post = save_post(clinic, None, PostData(title="T")).post
    for words in ("a", "a b", "a b c"):
        autosave(clinic, post, _with(post, body_md=words), actor="Ada")
    history = revisions.history(post)
    assert [(r.kind, r.body_md) for r in history] == [("autosave", "a b c"), ("saved", "")]
    assert post.body_md == ""  # an autosave alone never changes the post
    assert revisions.pending_autosave(post).body_md == "a b c"
    save_post(clinic, post, _with(post, body_md="a b c"))
    assert revisions.pending_autosave(post) is None


def test_moving_a_published_post_keeps_the_old_address_as_a_301(clinic, client_for):
    post = save_post(clinic, None, PostData(title="A", slug="a", published_at=_published())).post
    save_post(clinic, post, _with(post, slug="b"))
    save_post(clinic, post, _with(post, slug="c"))
    db.session.commit()
    client = client_for("clinic-a.test")
    for old in ("/blog/a", "/blog/b"):
        response = client.get(old + "?utm_source=x")
        assert response.status_code == 301
        assert response.headers["Location"] == "/blog/c?utm_source=x"  # no chains
    assert client.get("/blog/c").status_code == 200
    # Moving back to an old address: it serves the post again, no loop anywhere.
    save_post(clinic, post, _with(post, slug="a"))
    db.session.commit()
    assert client.get("/blog/a").status_code == 200
    assert client.get("/blog/c").headers["Location"] == "/blog/a"
    assert client.get("/blog/b").headers["Location"] == "/blog/a"
    assert client_for("clinic-b.test").get("/blog/b").status_code == 404  # per clinic
    assert client.post("/blog/b").status_code in (404, 405)  # only reads are redirected


def test_a_draft_can_change_its_slug_freely(clinic):
    post = save_post(clinic, None, PostData(title="A", slug="a")).post
    save_post(clinic, post, _with(post, slug="b"))
    assert _count(Redirect) == 0


def test_every_change_is_announced_with_before_and_after(clinic):
    seen = []

    def listener(sender, change):
        seen.append(change)

    with content_changed.connected_to(listener):
        post = save_post(clinic, None, PostData(title="T"), actor="Ada").post
        save_post(clinic, post, _with(post, title="U", body_md="b" * 500), actor="Ben")
        delete_post(clinic, post, actor="Ada")
    assert [c.action for c in seen] == ["post.create", "post.update", "post.delete"]
    update = seen[1]
    assert (update.actor, update.source, update.target) == ("Ben", "studio", f"post:{post.id}")
    assert update.details["title"] == ["T", "U"]
    assert update.details["body_md"] == [
        "0 characters",
        "500 characters",
    ]  # words stay in revisions


def test_deleting_a_post_removes_its_revisions_and_bumps_the_version(clinic):
    post = save_post(clinic, None, PostData(title="T", published_at=_published())).post
    db.session.commit()
    version = _tenant("clinic-a").content_version
    delete_post(clinic, post)
    db.session.commit()
    assert _count(Post) == 0 and _count(PostRevision) == 0
    assert _tenant("clinic-a").content_version > version


def test_restoring_never_changes_the_status(clinic):
    post = save_post(clinic, None, PostData(title="Draft words")).post
    first = revisions.history(post)[0]
    save_post(clinic, post, _with(post, title="Live words", published_at=_published()))
    restore(clinic, post, first)
    assert (post.title, post.status) == ("Draft words", "published")


def test_an_autosave_of_a_live_post_leaves_the_site_alone(clinic):
    post = save_post(clinic, None, PostData(title="Live", published_at=_published())).post
    db.session.commit()
    version = _tenant("clinic-a").content_version
    autosave(clinic, post, _with(post, title="Half typed", body_md="x" * 200_000), actor="Ada")
    db.session.commit()
    assert post.title == "Live" and _tenant("clinic-a").content_version == version
    pending = revisions.pending_autosave(post)
    assert pending.title == "Half typed" and len(pending.body_md) == 100_000  # bounded


def _photo(tenant: Tenant, token: str) -> int:
    item = MediaItem(
        tenant_id=tenant.id,
        token=token,
        width=1600,
        height=1200,
        alt="The treatment room",
        variants=[
            [400, 300, f"{token}-400w-aaaaaaaaaaaa.webp"],
            [1600, 1200, f"{token}-1600w-bbbbbbbbbbbb.webp"],
        ],
    )
    db.session.add(item)
    db.session.flush()
    return item.id


def test_a_cover_from_the_media_library_is_responsive_on_the_post_page(clinic, client_for):
    photo = _photo(clinic, "a" * 16)
    data = PostData(title="Room", slug="room", cover_media_id=photo, published_at=_published())
    with pytest.raises(ContentInvalid) as refused:
        save_post(clinic, None, data)
    assert "cover_alt" in refused.value.errors  # the alt text is required, always
    data.cover_alt = "Our quiet treatment room, with a couch by the window"
    data.cover_image = "/ignored.png"
    post = save_post(clinic, None, data).post
    db.session.commit()
    assert post.cover_image is None  # the library photo wins over a typed path
    page = client_for("clinic-a.test").get("/blog/room").text
    assert 'alt="Our quiet treatment room, with a couch by the window"' in page
    assert f"/media/{'a' * 16}-400w-aaaaaaaaaaaa.webp 400w" in page and 'width="1600"' in page


def test_another_clinics_photo_cannot_be_a_cover(clinic):
    theirs = _photo(_tenant("clinic-b"), "b" * 16)
    with pytest.raises(ContentInvalid) as refused:
        save_post(clinic, None, PostData(title="T", cover_media_id=theirs, cover_alt="x"))
    assert "no longer in the media library" in refused.value.errors["cover_image"]


def test_a_photo_in_use_as_a_cover_cannot_be_deleted(clinic):
    from meridian.content.posts import covers_using
    from meridian.media.service import MediaInUse, delete_item

    photo = _photo(clinic, "c" * 16)
    post = save_post(clinic, None, PostData(title="T", cover_media_id=photo, cover_alt="x")).post
    db.session.commit()
    assert covers_using(clinic, photo) == [post]
    item = db.session.get(MediaItem, photo)
    with pytest.raises(MediaInUse):
        delete_item(item)
    assert db.session.get(MediaItem, photo) is not None
    # Removed behind the library's back, the post loses its cover (no dangling id).
    db.session.delete(item)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Post, post.id).cover_media_id is None
