"""Importing old blogs from fixture sites on loopback: Wix (sitemap + feed + post pages),
RSS, Atom, WordPress WXR. Bodies sanitised into Markdown, images downloaded at full size
into the media library, drafts by default, re-runs and resumes without duplicates."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from meridian.extensions import db
from meridian.importer import Limits, import_blog, writer
from meridian.models import ImportedItem, MediaItem, Post, Tenant

from .fixtures import HOSTILE, WixPost, atom_feed, png, rss_feed, serve_wix, wxr

WIX_POSTS = [
    WixPost(
        "sleep-and-stress",
        "Sleep and stress",
        "2024-05-02T09:00:00+00:00",
        "<h1>Why sleep</h1><p>Sleep matters.</p>" + HOSTILE,
        tags=["Sleep", "Wellbeing"],
        image="a1b2c3_0f9e~mv2.png",
    ),
    WixPost(
        "hay-fever",
        "Hay fever season",
        "2024-03-10T09:00:00+00:00",
        "<p>Pollen counts rise in spring.</p>",
        feed_body=False,  # the feed holds only a summary: the page gives the body
    ),
    WixPost(
        "first-visit",
        "Your first visit",
        "2019-01-05T09:00:00+00:00",
        "<p>What happens at a first appointment.</p>",
        in_feed=False,  # older than the feed's latest ~20: from the sitemap and its page
        image="ffee00_aa11~mv2.png",
    ),
]


@pytest.fixture
def clinic(make_tenant):
    return make_tenant("clinic-a")


def _posts(tenant_id: int) -> dict[str, Post]:
    return {p.slug: p for p in db.session.scalars(select(Post).where(Post.tenant_id == tenant_id))}


def test_a_wix_site_comes_across_from_its_sitemap_feed_and_pages(import_app, fixture_site, clinic):
    serve_wix(fixture_site, WIX_POSTS)
    with import_app.app_context():
        tenant = db.session.get(Tenant, clinic.id)
        run = import_blog(tenant, url=fixture_site.url("/blog"))  # any page of the site
        assert run.status == "done", run.problem
        assert run.kind == "wix"
        assert run.report[0]["old"] == [
            "/post/sleep-and-stress",
            "/single-post/2024/05/02/sleep-and-stress",  # Wix's older address
        ]
        assert [(r["title"], r["action"]) for r in run.report] == [
            ("Sleep and stress", "imported"),
            ("Hay fever season", "imported"),
            ("Your first visit", "imported"),
        ]
        posts = _posts(clinic.id)
        assert set(posts) == {"sleep-and-stress", "hay-fever", "first-visit"}
        assert all(p.published_at is None for p in posts.values())  # drafts by default
        sleep = posts["sleep-and-stress"]
        for bad in ("script", "onclick", "onerror", "javascript:", "iframe", "color:red", "alert"):
            assert bad not in sleep.body_md
            assert bad not in sleep.body_html
        assert "## Why sleep" in sleep.body_md  # h1 became h2, in Markdown
        assert "Warm up first." in sleep.body_md
        assert sleep.author == "Aroha Ngata"
        assert sorted(t.name for t in sleep.tags) == ["Sleep", "Wellbeing"]
        media = db.session.scalars(select(MediaItem).where(MediaItem.tenant_id == clinic.id)).all()
        assert len(media) == 2 and all(m.width == 1600 for m in media)  # full size
        assert writer.media_path(tenant, media[0].id) in sleep.body_md
        assert '<img src="/media/' in sleep.body_html
        hay = posts["hay-fever"]
        assert "Pollen counts rise" in hay.body_md and "short summary" not in hay.body_md
        assert "Site menu" not in hay.body_md and "Share this post" not in hay.body_md
        first = posts["first-visit"]
        assert first.title == "Your first visit" and first.author == "Aroha Ngata"
        assert first.cover_media_id is not None  # the post's image, from its JSON-LD
        assert sleep.cover_media_id is None  # the feed names no cover for it
        assert "What happens at a first appointment." in first.body_md
    # the originals were fetched, never the resized copies the HTML named
    assert "/media/a1b2c3_0f9e~mv2.png" in fixture_site.hits
    assert not [hit for hit in fixture_site.hits if "/v1/" in hit]


def test_a_rerun_brings_nothing_twice_and_a_dry_run_writes_nothing(
    import_app, fixture_site, clinic
):
    serve_wix(fixture_site, WIX_POSTS)
    with import_app.app_context():
        tenant = db.session.get(Tenant, clinic.id)
        dry = import_blog(tenant, url=fixture_site.url("/"), dry_run=True)
        assert dry.status == "dry-run"
        assert [r["action"] for r in dry.report] == ["would import"] * 3
        assert "2 image(s)" in dry.report[0]["why"]  # the real one and the hostile one
        assert _posts(clinic.id) == {}
        assert db.session.scalar(select(func.count()).select_from(MediaItem)) == 0
        import_blog(tenant, url=fixture_site.url("/"))
        again = import_blog(tenant, url=fixture_site.url("/"))
        assert [r["action"] for r in again.report] == ["skipped"] * 3
        assert {r["why"] for r in again.report} == {"already imported"}
        assert len(_posts(clinic.id)) == 3
        assert db.session.scalar(select(func.count()).select_from(MediaItem)) == 2


def test_a_run_that_stops_half_way_resumes_where_it_stopped(
    import_app, fixture_site, clinic, monkeypatch
):
    serve_wix(fixture_site, WIX_POSTS)
    real_save = writer.save
    calls = []

    def failing_save(tenant, draft):
        calls.append(draft.slug)
        if len(calls) == 2:
            raise RuntimeError("the worker was stopped")
        return real_save(tenant, draft)

    with import_app.app_context():
        tenant = db.session.get(Tenant, clinic.id)
        monkeypatch.setattr(writer, "save", failing_save)
        stopped = import_blog(tenant, url=fixture_site.url("/"))
        assert stopped.status == "failed" and "the worker was stopped" in stopped.problem
        assert set(_posts(clinic.id)) == {"sleep-and-stress"}
        monkeypatch.setattr(writer, "save", real_save)
        resumed = import_blog(tenant, url=fixture_site.url("/"))
        assert [r["action"] for r in resumed.report] == ["skipped", "imported", "imported"]
        assert set(_posts(clinic.id)) == {"sleep-and-stress", "hay-fever", "first-visit"}
        assert db.session.scalar(select(func.count()).select_from(ImportedItem)) == 5


def test_a_run_is_bounded_and_the_next_one_continues(import_app, fixture_site, clinic):
    serve_wix(fixture_site, WIX_POSTS)
    with import_app.app_context():
        tenant = db.session.get(Tenant, clinic.id)
        first = import_blog(tenant, url=fixture_site.url("/"), limits=Limits(2, 60))
        assert [r["action"] for r in first.report] == ["imported", "imported", "not yet"]
        second = import_blog(tenant, url=fixture_site.url("/"), limits=Limits(2, 60))
        assert [r["action"] for r in second.report] == ["skipped", "skipped", "imported"]
        assert len(_posts(clinic.id)) == 3


def test_rss_feed_with_missing_dates_duplicate_titles_and_an_enclosure(
    import_app, fixture_site, clinic
):
    fixture_site.add("/images/cover.png", png(1200, 800), Content_Type="image/png")
    entries = [
        {
            "title": "Back pain",
            "link": fixture_site.url("/articles/back-pain"),
            "date": "Mon, 01 Jul 2024 10:00:00 +0000",
            "body": "<p>Keep moving.</p><img src='/images/cover.png' alt='Cover'>" + HOSTILE,
            "image": fixture_site.url("/images/cover.png"),
        },
        {
            "title": "Back pain",  # the same title again, another post
            "link": fixture_site.url("/articles/back-pain-2"),
            "body": "<p>More on backs.</p>",  # and no date
        },
        {
            "title": "Summary only",
            "link": fixture_site.url("/articles/summary"),
            "date": "Tue, 02 Jul 2024 10:00:00 +0000",
            "body": "<p>The description is all there is.</p>",
            "content": False,
        },
        {"title": "Empty", "link": fixture_site.url("/articles/empty"), "body": "<p> </p>"},
    ]
    fixture_site.add(
        "/feed.rss", rss_feed(fixture_site, entries), Content_Type="application/rss+xml"
    )
    with import_app.app_context():
        tenant = db.session.get(Tenant, clinic.id)
        run = import_blog(tenant, url=fixture_site.url("/feed.rss"), publish=True)
        assert run.kind == "rss", run.problem
        actions = {r["title"] + r["old"][0]: (r["action"], r["why"]) for r in run.report}
        assert actions["Back pain/articles/back-pain-2"] == ("imported", "no date: kept as a draft")
        assert actions["Empty/articles/empty"] == ("skipped", "no body")
        posts = _posts(clinic.id)
        assert set(posts) == {"back-pain", "back-pain-2", "summary"}
        assert posts["back-pain"].published_at is not None  # published on purpose, dated
        assert posts["back-pain-2"].published_at is None
        assert "The description is all there is." in posts["summary"].body_md
        assert "script" not in posts["back-pain"].body_md
        assert db.session.scalar(select(func.count()).select_from(MediaItem)) == 1  # once


def test_atom_feed_and_a_slug_that_clashes(import_app, fixture_site, clinic, make_post):
    make_post(clinic, slug="notes", title="An existing post")
    body = "<p>Atom body with <a href='{}'>a link to an older post</a>.</p>"
    entries = [
        {
            "title": "Notes",
            "link": fixture_site.url("/blog/notes"),
            "published": "2024-02-01T08:00:00Z",
            "body": body.format(fixture_site.url("/blog/older")),
            "tags": ["Posture"],
        },
        {
            "title": "Undated",
            "link": fixture_site.url("/blog/undated"),
            "body": "<p>No published date, only updated.</p>",
            "updated": "2024-03-01T08:00:00Z",
        },
    ]
    fixture_site.add(
        "/atom.xml", atom_feed(fixture_site, entries), Content_Type="application/atom+xml"
    )
    with import_app.app_context():
        tenant = db.session.get(Tenant, clinic.id)
        run = import_blog(tenant, url=fixture_site.url("/atom.xml"))
        assert run.kind == "atom", run.problem
        notes = next(r for r in run.report if r["title"] == "Notes")
        assert notes["new"] == "/blog/notes-2" and "taken" in notes["why"]
        posts = _posts(clinic.id)
        assert posts["notes"].title == "An existing post"  # untouched
        assert "(/blog/older)" in posts["notes-2"].body_md  # old-site link made relative
        assert [t.name for t in posts["notes-2"].tags] == ["Posture"]


def test_a_wordpress_export(import_app, fixture_site, clinic):
    fixture_site.add(
        "/wp-content/uploads/2023/04/desk.png", png(2000, 1200), Content_Type="image/png"
    )
    site = fixture_site.url("")
    data = wxr(site, fixture_site.url("/wp-content/uploads/2023/04/desk.png"))
    with import_app.app_context():
        tenant = db.session.get(Tenant, clinic.id)
        run = import_blog(tenant, data=data, filename="export.xml", publish=True)
        assert run.kind == "wxr", run.problem
        posts = _posts(clinic.id)
        assert set(posts) == {"desk-stretches", "half-written-idea"}  # not the page
        desk = posts["desk-stretches"]
        assert desk.published_at is not None and desk.author == "Mere"
        assert sorted(t.name for t in desk.tags) == ["Office", "Posture"]
        assert desk.excerpt == "Stretches for the office."
        assert desk.cover_media_id is not None  # its featured image (_thumbnail_id)
        assert "script" not in desk.body_md and "/media/" in desk.body_md
        assert posts["half-written-idea"].published_at is None  # a draft there, a draft here
        report = {r["title"]: r for r in run.report}
        assert report["Desk stretches"]["old"] == ["/2023/04/12/desk-stretches/"]
        widths = set(db.session.scalars(select(MediaItem.width)))
    assert widths == {2000}  # the original, not desk-300x200.png
    assert "/wp-content/uploads/2023/04/desk-300x200.png" not in fixture_site.hits


def test_a_feed_pointing_at_private_addresses_is_refused(import_app, fixture_site, clinic):
    """Loopback is allowed for the fixture site only; 10.x, 169.254.x stay refused, and
    with the default configuration the fixture site itself is refused."""
    entries = [
        {
            "title": "Sneaky",
            "link": fixture_site.url("/sneaky"),
            "date": "Mon, 01 Jul 2024 10:00:00 +0000",
            "body": "<p>Look:</p><img src='http://169.254.169.254/latest/meta-data/x.png'>"
            "<img src='http://10.0.0.5/internal.png'>",
            "image": "http://192.168.0.1/cover.png",
        }
    ]
    fixture_site.add(
        "/feed.rss", rss_feed(fixture_site, entries), Content_Type="application/rss+xml"
    )
    with import_app.app_context():
        tenant = db.session.get(Tenant, clinic.id)
        run = import_blog(tenant, url=fixture_site.url("/feed.rss"))
        assert run.report[0]["action"] == "imported"
        assert "2 image(s) could not be fetched" in run.report[0]["why"]
        post = _posts(clinic.id)["sneaky"]
        assert "169.254" not in post.body_md and "10.0.0.5" not in post.body_md
        assert db.session.scalar(select(func.count()).select_from(MediaItem)) == 0
    import_app.config["IMPORT_ALLOWED_NETWORKS"] = ""
    with import_app.app_context():
        tenant = db.session.get(Tenant, clinic.id)
        refused = import_blog(tenant, url=fixture_site.url("/feed.rss"))
        assert refused.status == "failed" and "private or local" in refused.problem
    assert fixture_site.hits == ["/feed.rss"]  # only the allowed run fetched anything


def test_the_command_imports_a_file_to_the_end(import_app, fixture_site, clinic, tmp_path):
    fixture_site.add("/wp-content/uploads/desk.png", png(800, 600), Content_Type="image/png")
    export = tmp_path / "export.xml"
    export.write_bytes(wxr(fixture_site.url(""), fixture_site.url("/wp-content/uploads/desk.png")))
    runner = import_app.test_cli_runner()
    result = runner.invoke(args=["tenants", "import-blog", "clinic-a", str(export)])
    assert result.exit_code == 0, result.output
    assert "imported: Desk stretches -> /blog/desk-stretches" in result.output
    assert "done: 2 imported" in result.output
    again = runner.invoke(args=["tenants", "import-blog", "clinic-a", str(export)])
    assert "done: 2 skipped" in again.output
    missing = runner.invoke(args=["tenants", "import-blog", "nobody", str(export)])
    assert missing.exit_code != 0 and "no clinic" in missing.output


def test_every_old_path_answers_301_to_its_new_page(import_app, fixture_site, clinic, client_for):
    serve_wix(fixture_site, WIX_POSTS)
    fixture_site.add("/wp-content/uploads/desk.png", png(800, 600), Content_Type="image/png")
    with import_app.app_context():
        tenant = db.session.get(Tenant, clinic.id)
        assert import_blog(tenant, url=fixture_site.url("/"), publish=True).status == "done"
        data = wxr(fixture_site.url(""), fixture_site.url("/wp-content/uploads/desk.png"))
        assert import_blog(tenant, data=data, filename="x.xml", publish=True).status == "done"
    site = client_for(clinic, import_app)
    moved = {
        "/post/sleep-and-stress": "/blog/sleep-and-stress",
        "/single-post/2024/05/02/sleep-and-stress": "/blog/sleep-and-stress",
        "/post/first-visit": "/blog/first-visit",
        "/post/hay-fever?utm_source=old": "/blog/hay-fever?utm_source=old",
        "/blog/categories/sleep": "/blog/tag/sleep",
        "/blog/tags/wellbeing": "/blog/tag/wellbeing",
        "/2023/04/12/desk-stretches/": "/blog/desk-stretches",
        "/category/posture": "/blog/tag/posture",
        "/tag/office": "/blog/tag/office",
    }
    for old, new in moved.items():
        response = site.get(old)
        assert response.status_code == 301, old
        assert response.headers["Location"] == new, old
        assert site.get(new).status_code == 200, new
    assert site.get("/blog").status_code == 200  # the blog stays where it was
