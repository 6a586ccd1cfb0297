"""Readers get no cookie and cacheable pages whose validators change with the content.

* no Set-Cookie on any public reading page;
* Cache-Control + ETag, and a 304 for a matching If-None-Match;
* editing, publishing or unpublishing anything a page shows changes its ETag at once;
* a scheduled post appears when due, with nobody editing anything;
* one clinic's page cache never answers for another clinic.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from meridian.extensions import db
from meridian.models import Faq, Location, Post, Tag, Tenant

HOST = "zak-clinic.localhost"
POST = "can-acupuncture-help-with-dry-eye"

#: Every public reading page of a clinic (path, expected content type prefix).
READING_PAGES = [
    ("/", "text/html"),
    ("/blog", "text/html"),
    ("/blog?page=2", "text/html"),
    (f"/blog/{POST}", "text/html"),
    ("/blog/tag/research", "text/html"),
    ("/faq", "text/html"),
    ("/contact", "text/html"),
    ("/contact/pimlico", "text/html"),
    ("/privacy", "text/html"),
    ("/feed.xml", "application/atom+xml"),
    ("/sitemap.xml", "application/xml"),
    ("/robots.txt", "text/plain"),
    ("/theme.css", "text/css"),
]


@pytest.fixture
def _two_posts_per_page(app, monkeypatch):
    """The demo clinics have four posts: paginate by two so /blog?page=2 is a real page."""
    monkeypatch.setitem(app.config, "POSTS_PER_PAGE", 2)


def edit(model, where, **changes) -> None:
    """Change one row outside any request, as the studio or a bundle reload would."""
    row = db.session.scalars(select(model).filter_by(**where)).one()
    for name, value in changes.items():
        setattr(row, name, value)
    db.session.commit()


def etag(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.headers["ETag"]


@pytest.mark.usefixtures("_two_posts_per_page")
@pytest.mark.parametrize(("path", "content_type"), READING_PAGES)
def test_reading_pages_set_no_cookie_and_are_cacheable(demo, client_for, path, content_type):
    client = client_for(HOST)
    for _ in range(2):  # the miss that renders and the hit from the cache
        response = client.get(path)
        assert response.status_code == 200
        assert response.content_type.startswith(content_type)
        assert "Set-Cookie" not in response.headers, path
        assert "Vary" not in response.headers or "Cookie" not in response.headers["Vary"]
        assert response.cache_control.public
        assert response.cache_control.max_age is not None
        assert not response.cache_control.no_store
        assert response.headers["ETag"].startswith('"')  # strong validator
    assert response.headers["X-Page-Cache"] == "hit"
    assert client.get_cookie("session") is None


@pytest.mark.usefixtures("_two_posts_per_page")
@pytest.mark.parametrize(("path", "content_type"), READING_PAGES)
def test_conditional_request_answers_304(demo, client_for, path, content_type):
    client = client_for(HOST)
    tag = etag(client, path)
    again = client.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == tag
    assert "Set-Cookie" not in again.headers
    other = client.get(path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_a_reader_with_a_stale_cookie_gets_none_set(demo, client_for):
    client = client_for(HOST)
    client.set_cookie("session", "junk", domain=HOST)
    response = client.get("/blog")
    assert "Set-Cookie" not in response.headers


def test_editing_a_post_changes_every_page_that_shows_it(demo, client_for, ctx):
    client = client_for(HOST)
    pages = ["/", "/blog", f"/blog/{POST}", "/blog/tag/research", "/feed.xml"]
    before = {path: etag(client, path) for path in pages}
    edit(Post, {"slug": POST}, title="Dry eye: what the trials say")
    for path in pages:
        response = client.get(path, headers={"If-None-Match": before[path]})
        assert response.status_code == 200, path
        assert response.headers["ETag"] != before[path], path
        assert "Dry eye: what the trials say" in response.text, path


@pytest.mark.parametrize(
    ("model", "where", "changes", "path", "shown"),
    [
        (Faq, {"position": 1}, {"question": "Is it safe in pregnancy?"}, "/faq", "in pregnancy"),
        (Location, {"slug": "pimlico"}, {"phone": "+44 20 7000 1234"}, "/contact", "7000 1234"),
        (Location, {"slug": "pimlico"}, {"street": "1 New Road"}, "/contact/pimlico", "New Road"),
        (Tag, {"slug": "research"}, {"name": "Clinical research"}, f"/blog/{POST}", "Clinical"),
        (Tenant, {"slug": "zak-clinic"}, {"tagline": "Needles, kindly"}, "/", "Needles, kindly"),
        (Tenant, {"slug": "zak-clinic"}, {"brand_primary": "#123456"}, "/theme.css", "#123456"),
    ],
    ids=["faq", "location-contact", "location-page", "tag", "tenant", "theme"],
)
def test_editing_anything_a_page_shows_changes_its_validator(
    demo, client_for, ctx, model, where, changes, path, shown
):
    client = client_for(HOST)
    before = etag(client, path)
    assert shown not in client.get(path).text
    edit(model, where, **changes)
    after = client.get(path, headers={"If-None-Match": before})
    assert after.status_code == 200
    assert after.headers["ETag"] != before
    assert shown in after.text


def test_unpublishing_and_publishing_change_validators_at_once(demo, client_for, ctx):
    client = client_for(HOST)
    blog_before, post_before = etag(client, "/blog"), etag(client, f"/blog/{POST}")

    edit(Post, {"slug": POST}, published_at=None)  # back to draft
    assert client.get(f"/blog/{POST}", headers={"If-None-Match": post_before}).status_code == 404
    blog = client.get("/blog", headers={"If-None-Match": blog_before})
    assert blog.status_code == 200 and f"/blog/{POST}" not in blog.text
    assert f"/blog/{POST}" not in client.get("/sitemap.xml").text

    edit(Post, {"slug": POST}, published_at=datetime.now(UTC) - timedelta(minutes=1))
    republished = client.get("/blog", headers={"If-None-Match": blog.headers["ETag"]})
    assert republished.status_code == 200 and f"/blog/{POST}" in republished.text
    assert client.get(f"/blog/{POST}").status_code == 200


def test_deleting_a_post_changes_validators(demo, client_for, ctx):
    client = client_for(HOST)
    before = etag(client, "/blog")
    post = db.session.scalars(select(Post).filter_by(slug=POST)).one()
    db.session.delete(post)
    db.session.commit()
    after = client.get("/blog", headers={"If-None-Match": before})
    assert after.status_code == 200 and POST not in after.text


def test_a_scheduled_post_appears_when_due_without_any_edit(
    make_tenant, make_post, client_for, app
):
    tenant = make_tenant("clinic-a")
    make_post(tenant, "already-out")
    due = datetime.now(UTC) + timedelta(seconds=1.5)
    make_post(tenant, "scheduled-one", title="Scheduled one", published_at=due)
    client = client_for(tenant)

    blog = client.get("/blog")
    assert "Scheduled one" not in blog.text
    assert client.get("/blog/scheduled-one").status_code == 404
    assert client.get("/blog").headers["X-Page-Cache"] == "hit"  # cached, not re-rendered

    time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 0.2)
    later = client.get("/blog", headers={"If-None-Match": blog.headers["ETag"]})
    assert later.status_code == 200
    assert "Scheduled one" in later.text
    assert client.get("/blog/scheduled-one").status_code == 200
    assert "Scheduled one" in client.get("/feed.xml").text
    with app.app_context():  # the next scheduled moment is cleared once nothing is pending
        assert db.session.get(Tenant, tenant.id).next_publish_at is None


def test_two_scheduled_posts_each_appear_on_time(make_tenant, make_post, client_for):
    tenant = make_tenant("clinic-a")
    now = datetime.now(UTC)
    make_post(tenant, "first", title="First due", published_at=now + timedelta(seconds=1))
    make_post(tenant, "second", title="Second due", published_at=now + timedelta(seconds=2.2))
    client = client_for(tenant)
    assert "First due" not in client.get("/blog").text
    time.sleep(max(0.0, (now + timedelta(seconds=1.3) - datetime.now(UTC)).total_seconds()))
    middle = client.get("/blog").text
    assert "First due" in middle and "Second due" not in middle
    time.sleep(max(0.0, (now + timedelta(seconds=2.5) - datetime.now(UTC)).total_seconds()))
    assert "Second due" in client.get("/blog").text


def _same_path_two_clinics(make_tenant, make_post):
    a = make_tenant("clinic-a", name="Alpha Clinic")
    b = make_tenant("clinic-b", name="Beta Clinic")
    make_post(a, "hello", title="Alpha hello")
    make_post(b, "hello", title="Beta hello")
    return a, b


def test_one_clinics_cache_never_serves_another(make_tenant, make_post, client_for, app):
    a, b = _same_path_two_clinics(make_tenant, make_post)
    with app.app_context():  # same path, same content version: only the tenant differs
        versions = {t.content_version for t in db.session.scalars(select(Tenant))}
    assert len(versions) == 1
    for _ in range(3):
        for tenant, mine, theirs in [(a, "Alpha", "Beta"), (b, "Beta", "Alpha")]:
            for path in ["/", "/blog", "/blog/hello", "/feed.xml", "/theme.css"]:
                response = client_for(tenant).get(path)
                assert response.status_code == 200
                if path != "/theme.css":
                    assert mine in response.text and theirs not in response.text, path
    assert client_for(a).get("/blog/hello").headers["X-Page-Cache"] == "hit"
    etag_a = client_for(a).get("/blog/hello").headers["ETag"]
    cross = client_for(b).get("/blog/hello", headers={"If-None-Match": etag_a})
    assert cross.status_code == 200 and "Beta hello" in cross.text


def test_cache_isolation_with_redis(make_tenant, make_post, client_for, make_app):
    """The production cache backend keeps clinics apart the same way."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    redis_app = make_app(
        REDIS_URL=url,
        CACHE_TYPE="RedisCache",
        CACHE_REDIS_URL=url,
        CACHE_KEY_PREFIX=f"meridian-test-{time.time_ns()}:",
    )
    a, b = _same_path_two_clinics(make_tenant, make_post)
    try:
        for _ in range(2):
            assert "Alpha hello" in client_for(a, redis_app).get("/blog/hello").text
            beta = client_for(b, redis_app).get("/blog/hello")
            assert "Beta hello" in beta.text and "Alpha" not in beta.text
        assert beta.headers["X-Page-Cache"] == "hit"
    finally:
        with redis_app.app_context():
            from meridian.extensions import cache

            cache.clear()
