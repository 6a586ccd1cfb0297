"""Subscribe -> confirm by POST -> publish -> exactly one e-mail per confirmed subscriber;
one-click unsubscribe (RFC 8058) by POST and by the link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from meridian.engagement.mailings import queue_new_post_mails
from meridian.extensions import db
from meridian.models import OutboxMessage, Post, PostMailing, Subscriber, utcnow
from meridian.outbox import build_email, send_due

LINK = re.compile(r"(http://clinic-a\.test/subscribe/confirm/\S+)")
UNSUB = re.compile(r"(http://clinic-a\.test/unsubscribe/\S+)")


def outbox(app, **where) -> list[OutboxMessage]:
    with app.app_context():
        return list(
            db.session.scalars(select(OutboxMessage).filter_by(**where).order_by(OutboxMessage.id))
        )


def subscribers(app) -> dict[str, str]:
    with app.app_context():
        return {s.email: s.status for s in db.session.scalars(select(Subscriber))}


@pytest.fixture
def subscribe(client_for, stamp):
    def post(tenant, email: str, client=None, **extra):
        client = client or client_for(tenant)
        data = {"email": email, "homepage": "", "stamp": stamp(tenant, "subscribe")} | extra
        return client.post("/subscribe", data=data)

    return post


@pytest.fixture
def confirmed(app, clinic, client_for, subscribe):
    """Subscribe and confirm an address through the e-mail's link and button."""

    def make(email: str) -> None:
        assert subscribe(clinic, email).status_code == 303
        mail = [m for m in outbox(app, kind="subscribe-confirm") if m.recipient == email][-1]
        path = LINK.search(mail.body_text).group(1).removeprefix("http://clinic-a.test")
        assert client_for(clinic).post(path).status_code == 200

    return make


def confirmed_earlier(app, **delta) -> None:
    """Move every confirmation back in time, so a post made now went live after it."""
    with app.app_context():
        when = utcnow() - timedelta(**delta)
        db.session.execute(update(Subscriber).values(confirmed_at=when))
        db.session.commit()


def test_double_opt_in_confirms_only_by_post(app, clinic, client_for, subscribe):
    client = client_for(clinic)
    response = subscribe(clinic, "ada@example.com")
    assert response.status_code == 303 and response.headers["Location"].endswith("/subscribe/sent")
    assert "Check your inbox" in client.get("/subscribe/sent").text
    [mail] = outbox(app, kind="subscribe-confirm")
    assert mail.recipient == "ada@example.com"
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert UNSUB.search(mail.headers["List-Unsubscribe"])
    path = LINK.search(mail.body_text).group(1).removeprefix("http://clinic-a.test")

    page = client.get(path)  # what a mail scanner does: nothing is confirmed
    assert page.status_code == 200 and "Yes, subscribe me" in page.text
    assert subscribers(app) == {"ada@example.com": "pending"}
    done = client.post(path)
    assert done.status_code == 200 and "You’re subscribed" in done.text
    assert subscribers(app) == {"ada@example.com": "confirmed"}
    # The link opened twice: a clear answer, no change.
    for again in (client.get(path), client.post(path)):
        assert again.status_code == 200 and "already subscribed" in again.text


def test_the_answer_never_reveals_whether_an_address_is_subscribed(
    app, clinic, confirmed, subscribe, client_for
):
    confirmed("known@example.com")
    known = subscribe(clinic, "known@example.com")
    unknown = subscribe(clinic, "new@example.com")
    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code,
        unknown.headers["Location"],
    )
    # Only the mailbox learns it, and a repeat within the resend window sends nothing.
    kinds = [m.kind for m in outbox(app) if m.recipient == "known@example.com"]
    assert kinds == ["subscribe-confirm"]  # confirmed a moment ago: no note yet
    before = len(outbox(app))
    subscribe(clinic, "new@example.com")
    assert len(outbox(app)) == before


def test_publish_sends_exactly_one_email_per_confirmed_subscriber(
    app, clinic, make_post, confirmed, subscribe, client_for
):
    confirmed("one@example.com")
    confirmed("two@example.com")
    confirmed("gone@example.com")
    subscribe(clinic, "pending@example.com")
    gone = [m for m in outbox(app) if m.recipient == "gone@example.com"][0]
    unsub = UNSUB.search(gone.body_text).group(1).removeprefix("http://clinic-a.test")
    assert client_for(clinic).post(unsub).status_code == 200
    confirmed_earlier(app, hours=2)
    make_post(clinic, "news", title="Fresh news", published_at=utcnow() - timedelta(minutes=5))

    runner = app.test_cli_runner()
    result = runner.invoke(args=["engagement", "notify"])
    assert result.exit_code == 0, result.output
    assert "queued 2 new-post" in result.output
    assert runner.invoke(args=["engagement", "notify"]).output.startswith("queued 0 new-post")
    mails = outbox(app, kind="new-post")
    assert sorted(m.recipient for m in mails) == ["one@example.com", "two@example.com"]
    assert all("Fresh news" in m.subject for m in mails)
    # "hello" went live before anyone subscribed: not announced to them.
    assert all("Hello readers" not in m.subject for m in mails)

    with app.app_context():
        assert send_due()["sent"] >= 2
        message = build_email(db.session.get(OutboxMessage, mails[0].id), "Alpha Clinic")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<http://clinic-a.test/unsubscribe/")
    assert "http://clinic-a.test/blog/news" in message.get_body(("plain",)).get_content()


def test_a_scheduled_post_is_announced_with_no_visitor(app, clinic, make_post, confirmed):
    confirmed("ada@example.com")
    make_post(clinic, "later", title="Scheduled", published_at=utcnow() + timedelta(hours=1))
    with app.app_context():
        assert queue_new_post_mails() == 0  # not live yet
        # An hour on, cron runs; nobody has visited the site in between.
        assert queue_new_post_mails(now=utcnow() + timedelta(hours=1, minutes=1)) == 1
        assert queue_new_post_mails(now=utcnow() + timedelta(hours=2)) == 0
    [mail] = outbox(app, kind="new-post")
    assert mail.recipient == "ada@example.com" and "Scheduled" in mail.subject


def test_one_click_unsubscribe_by_post_withdraws_queued_mail(
    app, clinic, make_post, confirmed, client_for
):
    confirmed("ada@example.com")
    confirmed_earlier(app, hours=1)
    make_post(clinic, "news", published_at=utcnow() - timedelta(minutes=1))
    with app.app_context():
        assert queue_new_post_mails() == 1
    [mail] = outbox(app, kind="new-post")
    url = mail.headers["List-Unsubscribe"].strip("<>").removeprefix("http://clinic-a.test")
    # What a mail provider sends (RFC 8058): a bare POST, no cookie, no Origin.
    fresh = client_for(clinic)
    response = fresh.post(
        url,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200 and "You’re unsubscribed" in response.text
    assert subscribers(app) == {"ada@example.com": "unsubscribed"}
    assert outbox(app, kind="new-post")[0].status == "withdrawn"
    with app.app_context():
        assert send_due()["sent"] == 1  # the confirmation only; the new-post mail stays put
    again = fresh.post(url)
    assert "already unsubscribed" in again.text


def test_unsubscribe_by_the_link_shows_a_button_first(app, clinic, confirmed, client_for):
    confirmed("ada@example.com")
    mail = outbox(app, kind="subscribe-confirm")[0]
    path = UNSUB.search(mail.body_text).group(1).removeprefix("http://clinic-a.test")
    client = client_for(clinic)
    page = client.get(path)
    assert page.status_code == 200 and ">Unsubscribe</button>" in page.text
    assert subscribers(app) == {"ada@example.com": "confirmed"}
    assert client.post(path).status_code == 200
    assert subscribers(app) == {"ada@example.com": "unsubscribed"}


def test_bad_links_get_clear_answers(app, clinic, make_tenant, confirmed, client_for, subscribe):
    client = client_for(clinic)
    for path in ("/unsubscribe/not-a-token", "/subscribe/confirm/not-a-token"):
        response = client.get(path)
        assert response.status_code == 400 and "This link is not valid" in response.text
    # A link for an address that is not (or no longer) subscribed anywhere here.
    other = make_tenant("clinic-b")
    subscribe(other, "ada@example.com")
    mail = outbox(app, kind="subscribe-confirm")[0]
    theirs = UNSUB.pattern.replace("clinic-a", "clinic-b")
    path = re.search(theirs, mail.body_text).group(1).removeprefix("http://clinic-b.test")
    response = client.post(path)  # clinic-b's link on clinic-a's host
    assert response.status_code == 200 and "no subscription for this link" in response.text
    assert subscribers(app) == {"ada@example.com": "pending"}  # clinic-b's row untouched


def test_an_expired_confirmation_link_says_so(app, clinic, subscribe, client_for, monkeypatch):
    subscribe(clinic, "ada@example.com")
    path = LINK.search(outbox(app)[0].body_text).group(1).removeprefix("http://clinic-a.test")
    monkeypatch.setitem(app.config, "SUBSCRIBE_LINK_MAX_AGE", -1)
    response = client_for(clinic).post(path)
    assert response.status_code == 400 and "This link has expired" in response.text
    assert subscribers(app) == {"ada@example.com": "pending"}


def test_bad_addresses_and_floods(app, clinic, subscribe, limits_on, monkeypatch):
    monkeypatch.setitem(app.config, "SUBSCRIBE_RATE_LIMIT", "3 per minute")
    bad = subscribe(clinic, "nobody at example")
    assert bad.status_code == 422
    assert "Please enter a valid e-mail address" in bad.text
    assert 'value="nobody at example"' in bad.text
    codes = [subscribe(clinic, f"p{i}@example.com").status_code for i in range(5)]
    assert codes == [303, 303, 429, 429, 429]  # the bad address counted too
    assert len(subscribers(app)) == 2


def test_a_mailing_resumes_after_a_crash_and_never_doubles(
    app, clinic, make_post, confirmed, monkeypatch
):
    from meridian.engagement import mailings

    for i in range(5):
        confirmed(f"r{i}@example.com")
    confirmed_earlier(app, hours=1)
    news = make_post(clinic, "news", published_at=utcnow() - timedelta(minutes=1))
    monkeypatch.setitem(app.config, "NEW_POST_BATCH", 2)
    with app.app_context():
        post = db.session.get(Post, news.id)
        mailings._start(post)
        mailing = db.session.scalars(select(PostMailing).filter_by(post_id=news.id)).one()
        assert mailings._batch(mailing, post, post_tenant(post)) == 2
        # The worker dies here. The next cron run carries on from the cursor.
        assert queue_new_post_mails() == 3
        assert queue_new_post_mails() == 0
        # Even a lost cursor could not send twice: the outbox key is unique.
        db.session.execute(
            update(PostMailing)
            .where(PostMailing.post_id == news.id)
            .values(finished_at=None, last_subscriber_id=0)
        )
        db.session.commit()
        with pytest.raises(IntegrityError):
            queue_new_post_mails()
        db.session.rollback()
    recipients = [m.recipient for m in outbox(app, kind="new-post")]
    assert sorted(recipients) == [f"r{i}@example.com" for i in range(5)]


def post_tenant(post):
    from meridian.models import Tenant

    return db.session.get(Tenant, post.tenant_id)
