"""Comments: inert text, moderation before anything shows, anti-spam, never a lost text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from meridian.engagement.comments import digest_due, set_status
from meridian.extensions import db
from meridian.models import Comment, OutboxMessage, Tenant, utcnow

NASTY = (
    "<script>alert('x')</script> look <img src=x onerror=alert(1)> and "
    "[click](javascript:alert(2)) javascript:alert(3) https://example.org/page."
)


def comments(app, **where) -> list[Comment]:
    with app.app_context():
        return list(db.session.scalars(select(Comment).filter_by(**where).order_by(Comment.id)))


def approve_all(app, tenant) -> None:
    with app.app_context():
        rows = list(db.session.scalars(select(Comment).filter_by(tenant_id=tenant.id)))
        set_status(rows, "approved")
        db.session.commit()


def test_a_comment_is_held_then_shown_at_the_next_request_after_approval(
    app, clinic, client_for, comment_data
):
    client = client_for(clinic)
    before = client.get("/blog/hello")
    response = client.post("/comments/hello", data=comment_data(clinic))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/comments/hello/thanks")
    thanks = client.get(response.headers["Location"])
    assert "once it is approved" in thanks.text
    held = client.get("/blog/hello")
    assert "Does acupuncture help with sleep?" not in held.text
    assert held.headers["ETag"] == before.headers["ETag"]  # a held comment changes nothing
    assert comments(app)[0].status == "held"

    approve_all(app, clinic)
    shown = client.get("/blog/hello", headers={"If-None-Match": before.headers["ETag"]})
    assert shown.status_code == 200
    assert "Does acupuncture help with sleep?" in shown.text
    assert "Ada Reader" in shown.text and "ada@example.com" not in shown.text
    assert "1 comment" in shown.text
    assert "1 comment" in client.get("/blog").text  # the count on the blog list too


def test_script_onerror_and_javascript_links_render_inert(app, clinic, client_for, comment_data):
    client = client_for(clinic)
    client.post("/comments/hello", data=comment_data(clinic, body=NASTY, name="<b>Eve</b>"))
    approve_all(app, clinic)
    html = client.get("/blog/hello").text
    section = html[html.index('id="comments"') :]
    assert "<script>alert" not in section and "<img" not in section
    assert "onerror=alert(1)>" not in section  # only ever as escaped text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in section
    assert "&lt;img src=x onerror=alert(1)&gt;" in section
    assert 'href="javascript' not in section.lower()
    assert "&lt;b&gt;Eve&lt;/b&gt;" in section
    # Once approved, a web link is clickable, marked as user content, punctuation kept out.
    assert (
        '<a href="https://example.org/page" rel="nofollow ugc noopener">https://example.org/page</a>.'
        in section
    )


def test_a_burst_of_fifty_is_stopped_by_the_rate_limit(
    app, clinic, client_for, comment_data, limits_on
):
    client = client_for(clinic)
    codes = []
    for i in range(50):
        response = client.post("/comments/hello", data=comment_data(clinic, body=f"Spam {i}"))
        codes.append(response.status_code)
    allowed = 5  # COMMENT_RATE_LIMIT: 5 per minute
    assert codes[:allowed] == [303] * allowed
    assert set(codes[allowed:]) == {429}
    assert len(comments(app)) == allowed
    assert "Please wait a few minutes" in response.text
    assert "Spam 49</textarea>" in response.text  # the text is kept where it was typed
    assert response.headers["Cache-Control"] == "private, no-store"


def test_the_per_post_limit_holds_across_addresses(
    app, clinic, client_for, comment_data, limits_on, monkeypatch
):
    monkeypatch.setitem(app.config, "COMMENT_POST_RATE_LIMIT", "3 per hour")
    client = client_for(clinic)
    codes = [
        client.post(
            "/comments/hello",
            data=comment_data(clinic),
            environ_base={"REMOTE_ADDR": f"192.0.2.{i}"},
        ).status_code
        for i in range(6)
    ]
    assert codes == [303, 303, 303, 429, 429, 429]


def test_ipv6_clients_are_limited_by_their_64_network(
    app, clinic, client_for, comment_data, limits_on, monkeypatch
):
    monkeypatch.setitem(app.config, "COMMENT_RATE_LIMIT", "2 per minute")
    client = client_for(clinic)
    codes = [
        client.post(
            "/comments/hello",
            data=comment_data(clinic),
            environ_base={"REMOTE_ADDR": f"2001:db8:1:2::{i:x}"},
        ).status_code
        for i in range(1, 4)
    ]
    assert codes == [303, 303, 429]


def test_a_comment_from_another_sites_origin_is_refused(app, clinic, client_for, comment_data):
    client = client_for(clinic)
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Referer": "https://evil.example/page"},
    ):
        response = client.post("/comments/hello", data=comment_data(clinic), headers=headers)
        assert response.status_code == 403, headers
        assert "sent from another website" in response.text
    assert comments(app) == []
    ok = client.post(
        "/comments/hello",
        data=comment_data(clinic),
        headers={"Origin": "http://clinic-a.test", "Sec-Fetch-Site": "same-origin"},
    )
    assert ok.status_code == 303
    assert len(comments(app)) == 1


def test_the_honeypot_thanks_a_bot_and_stores_nothing(app, clinic, client_for, comment_data):
    response = client_for(clinic).post(
        "/comments/hello", data=comment_data(clinic, homepage="http://spam.example")
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/comments/hello/thanks")
    assert comments(app) == []


def test_without_a_stamp_the_reader_confirms_once_with_their_text_kept(
    app, clinic, client_for, comment_data, monkeypatch
):
    """No JavaScript (or a bot posting blind): a 'check and send' step, text kept."""
    client = client_for(clinic)
    first = client.post("/comments/hello", data=comment_data(clinic, stamp=""))
    assert first.status_code == 200
    assert "please check your comment" in first.text
    assert "Does acupuncture help with sleep?</textarea>" in first.text
    assert comments(app) == []
    form = first.text[first.text.index('id="comments"') :]
    fresh = form.split('name="stamp" value="', 1)[1].split('"', 1)[0]
    assert fresh
    # Sent again at once: faster than FORM_MIN_SECONDS, so asked again, still kept.
    again = client.post("/comments/hello", data=comment_data(clinic, stamp=fresh))
    assert again.status_code == 200 and comments(app) == []
    monkeypatch.setitem(app.config, "FORM_MIN_SECONDS", 0)
    assert client.post("/comments/hello", data=comment_data(clinic, stamp=fresh)).status_code == 303
    assert len(comments(app)) == 1


def test_stamps_are_per_clinic_per_form_and_expire(
    app, clinic, make_tenant, client_for, comment_data, stamp
):
    other = make_tenant("clinic-b")
    client = client_for(clinic)
    for bad in (
        stamp(other, "comment"),  # another clinic's
        stamp(clinic, "contact"),  # another form's
        stamp(clinic, "comment", ago=2 * 86_400),  # too old
        "forged.value.here",
    ):
        response = client.post("/comments/hello", data=comment_data(clinic, stamp=bad))
        assert response.status_code == 200 and "please check" in response.text
    assert comments(app) == []


def test_bad_input_gets_a_clear_answer_with_the_text_kept(app, clinic, client_for, comment_data):
    client = client_for(clinic)
    cases = [
        ({"body": ""}, "Please write a comment."),
        ({"body": "x" * 100_000}, "Please keep your comment under 5,000 characters."),
        ({"name": "Ada\nBcc: victim@example.com"}, "Please write this on one line."),
        ({"email": "not-an-address"}, "Please enter a valid e-mail address"),
        ({"email": "josé@example.com"}, "Please enter a valid e-mail address"),
        ({"body": "a http://a.example b http://b.example c www.c.example"}, "at most 2 links"),
        ({"body": "null \x00 byte"}, "characters we can&#39;t store"),
        ({"name": ""}, "Please enter your name."),
    ]
    for overrides, message in cases:
        response = client.post("/comments/hello", data=comment_data(clinic, **overrides))
        assert response.status_code == 422, overrides
        assert message in response.text, overrides
        assert 'aria-invalid="true"' in response.text
        assert "Please correct the marked fields" in response.text
        body = overrides.get("body", "Does acupuncture help with sleep?").replace("\x00", "")
        assert f">{body}</textarea>" in response.text  # kept where it was typed
        assert "Alpha Clinic" in response.text  # the clinic's own page
    assert comments(app) == []


def test_hold_first_publishes_a_known_commenters_next_comment(
    app, clinic, client_for, comment_data
):
    with app.app_context():
        tenant = db.session.get(Tenant, clinic.id)
        tenant.comment_policy = "hold_first"
        db.session.commit()
    client = client_for(clinic)
    client.post("/comments/hello", data=comment_data(clinic, body="First question"))
    assert comments(app)[0].status == "held"
    approve_all(app, clinic)
    second = client.post("/comments/hello", data=comment_data(clinic, body="Second question"))
    assert second.status_code == 303 and "#comment-" in second.headers["Location"]
    assert "Second question" in client.get("/blog/hello").text
    # A stranger is still held.
    client.post("/comments/hello", data=comment_data(clinic, email="new@example.com", body="Hi"))
    assert comments(app)[-1].status == "held"


def test_comments_only_on_live_posts_of_this_clinic(
    app, clinic, make_tenant, make_post, client_for, comment_data
):
    other = make_tenant("clinic-b")
    make_post(other, "theirs")
    make_post(clinic, "draft", published_at=None)
    make_post(clinic, "later", published_at=utcnow() + timedelta(days=1))
    client = client_for(clinic)
    for slug in ("theirs", "draft", "later", "missing"):
        assert client.post(f"/comments/{slug}", data=comment_data(clinic)).status_code == 404
    assert comments(app) == []


def test_the_clinic_gets_one_waiting_email_per_window(
    app, clinic, client_for, comment_data, monkeypatch
):
    from meridian.engagement import comments as service

    # Windows are aligned to the clock: the three comments are made in the middle of
    # one (on a slow machine they could otherwise straddle a boundary).
    minutes = app.config["COMMENT_DIGEST_MINUTES"]
    start = utcnow().timestamp() // (minutes * 60) * (minutes * 60) + minutes * 30
    middle = datetime.fromtimestamp(start, UTC)
    monkeypatch.setattr(service, "utcnow", lambda: middle)
    client = client_for(clinic)
    for i in range(3):
        client.post("/comments/hello", data=comment_data(clinic, body=f"Question {i}"))
    with app.app_context():
        digests = list(db.session.scalars(select(OutboxMessage).filter_by(kind="comments-waiting")))
        assert len(digests) == 1  # the first comment's; the others wait for the next window
        assert digests[0].recipient == "hello@clinic-a.test"
        assert "Ada Reader" in digests[0].body_text
        assert "Does acupuncture" not in digests[0].body_text  # names, not comment text
        notified = db.session.scalar(
            select(func.count(Comment.id)).where(Comment.notified_at.is_not(None))
        )
        assert notified == 1
        # The cron command, in a later window, tells the clinic about the other two.
        later = middle + timedelta(minutes=minutes)
        tenant = db.session.get(Tenant, clinic.id)
        assert service.queue_digest(tenant, later)
        db.session.commit()
        assert digest_due() == 0  # nobody left to tell
        bodies = [
            m.body_text
            for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]
        assert len(bodies) == 2 and "3 comments in all are held" in bodies[1]


def test_only_the_clinics_serving_hosts_count_as_its_own(
    app, make_tenant, make_post, client_for, comment_data
):
    from meridian.models import Domain

    tenant = make_tenant("clinic-a", aliases=("www.clinic-a.test",))
    make_post(tenant, "hello")
    with app.app_context():
        pending = Domain(tenant_id=tenant.id, hostname="pending.example")
        db.session.add(pending)
        db.session.flush()
        pending.verified_at = None  # awaiting its DNS proof (None at insert means "now")
        db.session.commit()
    client = client_for(tenant)
    alias = client.post(
        "/comments/hello",
        data=comment_data(tenant),
        headers={"Origin": "https://www.clinic-a.test"},
    )
    assert alias.status_code == 303
    pending = client.post(
        "/comments/hello", data=comment_data(tenant), headers={"Origin": "https://pending.example"}
    )
    assert pending.status_code == 403


def test_a_rate_limit_store_that_fails_lets_the_reader_through(
    app, clinic, client_for, comment_data, limits_on, monkeypatch
):
    from meridian.extensions import limiter

    def gone(*args, **kwargs):
        raise ConnectionError("redis went away")

    monkeypatch.setattr(limiter.limiter, "hit", gone)
    response = client_for(clinic).post("/comments/hello", data=comment_data(clinic))
    assert response.status_code == 303
    assert len(comments(app)) == 1
