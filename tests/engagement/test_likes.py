"""Likes: one per browser per post, counted on the server, no cookie on reading pages."""

from __future__ import annotations

from sqlalchemy import select

from meridian.extensions import db
from meridian.models import Like


def likes(app) -> list[Like]:
    with app.app_context():
        return list(db.session.scalars(select(Like)))


def test_a_like_twice_from_one_browser_counts_once(app, clinic, client_for):
    client = client_for(clinic)
    first = client.post("/likes/hello")
    assert first.status_code == 303
    assert first.headers["Location"].endswith("/blog/hello#like")
    cookie = first.headers["Set-Cookie"]
    assert "Path=/likes" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert first.headers["Cache-Control"] == "private, no-store"
    assert "1 like<" in client.get("/blog/hello").text
    second = client.post("/likes/hello")
    assert second.status_code == 200
    assert "already liked" in second.text
    assert "Set-Cookie" not in second.headers
    assert len(likes(app)) == 1
    # The value stored is a keyed hash, never the cookie itself.
    value = cookie.split("=", 1)[1].split(";", 1)[0]
    assert likes(app)[0].liker != value and value not in likes(app)[0].liker


def test_the_like_cookie_never_reaches_a_reading_page(app, clinic, client_for):
    client = client_for(clinic)
    client.post("/likes/hello")
    assert client.get_cookie("liker", domain="clinic-a.test", path="/likes") is not None
    with client.get("/blog/hello") as page:
        assert "Cookie" not in page.request.headers  # Path=/likes: not sent to /blog
        assert "Set-Cookie" not in page.headers
        assert page.cache_control.public


def test_another_browser_adds_a_like_and_json_updates_in_place(app, clinic, client_for):
    client_for(clinic).post("/likes/hello")
    other = client_for(clinic)
    response = other.post("/likes/hello", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json == {
        "outcome": "liked",
        "count": 2,
        "message": "Thank you for liking this post.",
    }
    again = other.post("/likes/hello", headers={"Accept": "application/json"})
    assert again.json["outcome"] == "already" and again.json["count"] == 2


def test_a_forged_cookie_value_gets_a_fresh_one(app, clinic, client_for):
    client = client_for(clinic)
    client.set_cookie("liker", "<script>", domain="clinic-a.test", path="/likes")
    response = client.post("/likes/hello")
    assert response.status_code == 303
    assert "<script>" not in response.headers["Set-Cookie"]


def test_likes_are_refused_from_another_site_and_rate_limited(
    app, clinic, client_for, limits_on, monkeypatch
):
    monkeypatch.setitem(app.config, "LIKE_RATE_LIMIT", "3 per minute")
    refused = client_for(clinic).post("/likes/hello", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403
    codes = [client_for(clinic).post("/likes/hello").status_code for _ in range(5)]
    assert codes == [303, 303, 303, 429, 429]
    assert len(likes(app)) == 3


def test_likes_need_a_live_post_of_this_clinic(app, clinic, make_tenant, make_post, client_for):
    other = make_tenant("clinic-b")
    make_post(other, "theirs")
    make_post(clinic, "draft", published_at=None)
    for slug in ("theirs", "draft", "nope"):
        assert client_for(clinic).post(f"/likes/{slug}").status_code == 404
    assert likes(app) == []
