"""The studio side: moderation, subscribers, messages. Every change audit-logged; ids of
another clinic are 404 and change nothing (test_access walks every route for roles)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from meridian.engagement.mailings import queue_new_post_mails
from meridian.extensions import db
from meridian.models import AuditEvent, Comment, ContactMessage, Subscriber, Tenant, utcnow

from ..factories import row_counts


def add_comment(app, tenant, post_slug="hello", **fields) -> int:
    from meridian.models import Post

    with app.app_context():
        post = db.session.scalars(select(Post).filter_by(tenant_id=tenant.id, slug=post_slug)).one()
        values = {
            "author_name": "Ada Reader",
            "author_email": "ada@example.com",
            "body": "Is it safe? See https://example.org/x",
            "status": "held",
        } | fields
        comment = Comment(tenant_id=tenant.id, post_id=post.id, **values)
        db.session.add(comment)
        db.session.commit()
        return comment.id


def statuses(app) -> dict[int, str]:
    with app.app_context():
        return {c.id: c.status for c in db.session.scalars(select(Comment))}


def audit(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [
            (e.action, e.actor_email, e.target)
            for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]


@pytest.fixture
def editor(clinic, signed_in_client):
    return signed_in_client(clinic, "editor")


def test_the_queue_shows_held_comments_with_links_not_clickable(app, clinic, editor):
    add_comment(app, clinic)
    page = editor.get("/studio/comments")
    assert page.status_code == 200
    assert "Waiting (1)" in page.text and "Is it safe?" in page.text
    assert 'href="https://example.org/x"' not in page.text  # shown, not clickable
    assert "ada@example.com" in page.text  # the clinic sees the e-mail
    assert "no-store" in page.headers["Cache-Control"]


def test_approving_one_shows_it_at_the_next_request_and_is_audited(app, clinic, editor, client_for):
    comment_id = add_comment(app, clinic)
    reader = client_for(clinic)
    before = reader.get("/blog/hello")
    assert "Is it safe?" not in before.text
    response = editor.post(
        "/studio/comments",
        data={"csrf_token": editor.csrf, "status": "held", "one": f"approve:{comment_id}"},
    )
    assert response.status_code == 303
    assert statuses(app) == {comment_id: "approved"}
    after = reader.get("/blog/hello", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and "Is it safe?" in after.text
    assert 'href="https://example.org/x"' in after.text  # clickable once approved
    assert audit(app)[-1] == ("comment.approve", editor.user.email, f"comments:{comment_id}")


def test_bulk_spam_unspam_and_delete_after_asking(app, clinic, editor):
    ids = [add_comment(app, clinic, body=f"Buy pills {i}") for i in range(3)]
    keep = add_comment(app, clinic, body="A real question")
    data = {"csrf_token": editor.csrf, "status": "held", "action": "spam", "ids": ids}
    assert editor.post("/studio/comments", data=data).status_code == 303
    assert statuses(app) == {**dict.fromkeys(ids, "spam"), keep: "held"}
    unspam = data | {"status": "spam", "action": "unspam", "ids": ids[:1]}
    assert editor.post("/studio/comments", data=unspam).status_code == 303
    assert statuses(app)[ids[0]] == "held"
    ask = editor.post("/studio/comments", data=data | {"action": "delete", "ids": ids[1:]})
    assert ask.status_code == 200 and "Delete 2 comments?" in ask.text
    assert len(statuses(app)) == 4  # nothing deleted yet
    gone = editor.post(
        "/studio/comments/delete",
        data={"csrf_token": editor.csrf, "action": "delete", "ids": ids[1:]},
    )
    assert gone.status_code == 303
    assert set(statuses(app)) == {ids[0], keep}
    actions = [action for action, _, _ in audit(app)]
    assert actions == ["comment.spam", "comment.unspam", "comment.delete"]


def test_reply_as_the_clinic_approves_the_comment_and_publishes(app, clinic, editor, client_for):
    comment_id = add_comment(app, clinic, body="Do you treat children?")
    form = editor.get(f"/studio/comments/{comment_id}/reply")
    assert form.status_code == 200 and "Do you treat children?" in form.text
    empty = editor.post(f"/studio/comments/{comment_id}/reply", data={"csrf_token": editor.csrf})
    assert empty.status_code == 422 and "Write the reply." in empty.text
    done = editor.post(
        f"/studio/comments/{comment_id}/reply",
        data={"csrf_token": editor.csrf, "body": "Yes, from age 12, with a parent."},
    )
    assert done.status_code == 303
    page = client_for(clinic).get("/blog/hello").text
    assert "Do you treat children?" in page and "Yes, from age 12, with a parent." in page
    assert "the clinic</span>" in page
    assert audit(app)[-1][0] == "comment.reply"


def test_another_clinics_comments_are_404_and_untouched(
    app, clinic, make_tenant, make_post, signed_in_client
):
    theirs = add_comment(app, clinic)
    other = make_tenant("clinic-b")
    make_post(other, "b-post")
    mine = add_comment(app, other, post_slug="b-post", body="A question for B")
    owner_b = signed_in_client(other, "owner")
    before = row_counts(app)
    for data in (
        {"one": f"approve:{theirs}"},
        {"action": "spam", "ids": [mine, theirs]},
        {"one": f"delete:{theirs}"},
    ):
        response = owner_b.post("/studio/comments", data={"csrf_token": owner_b.csrf} | data)
        assert response.status_code == 404, data
    assert owner_b.get(f"/studio/comments/{theirs}/reply").status_code == 404
    assert (
        owner_b.post(
            "/studio/comments/delete",
            data={"csrf_token": owner_b.csrf, "action": "delete", "ids": [theirs]},
        ).status_code
        == 404
    )
    assert row_counts(app) == before
    queue = owner_b.get("/studio/comments").text
    assert "A question for B" in queue and "Is it safe?" not in queue


def test_nonsense_ids_and_actions_are_400(app, clinic, editor):
    for data in ({"one": "approve:x"}, {"one": "explode:1"}, {"action": "approve", "ids": ["1e9"]}):
        assert (
            editor.post("/studio/comments", data={"csrf_token": editor.csrf} | data).status_code
            == 400
        )


def test_the_owner_chooses_which_comments_wait(app, clinic, signed_in_client):
    owner = signed_in_client(clinic, "owner")
    assert "Which comments wait for approval" in owner.get("/studio/comments").text
    response = owner.post(
        "/studio/comments/settings", data={"csrf_token": owner.csrf, "policy": "hold_first"}
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Tenant, clinic.id).comment_policy == "hold_first"
    assert audit(app)[-1][0] == "comments.policy"
    bad = owner.post("/studio/comments/settings", data={"csrf_token": owner.csrf, "policy": "x"})
    assert bad.status_code == 400
    editor = signed_in_client(clinic, "editor")
    assert "Which comments wait" not in editor.get("/studio/comments").text


def subscribe_rows(app, tenant, rows) -> None:
    with app.app_context():
        now = utcnow()
        for email, status in rows:
            db.session.add(
                Subscriber(
                    tenant_id=tenant.id,
                    email=email,
                    status=status,
                    confirmed_at=now - timedelta(days=1) if status == "confirmed" else None,
                )
            )
        db.session.commit()


def test_subscribers_list_export_and_what_was_sent(app, clinic, make_post, signed_in_client):
    subscribe_rows(
        app,
        clinic,
        [
            ("one@example.com", "confirmed"),
            ("=cmd@example.com", "confirmed"),
            ("p@x.com", "pending"),
        ],
    )
    make_post(clinic, "news", title="Fresh news", published_at=utcnow() - timedelta(minutes=1))
    with app.app_context():
        assert queue_new_post_mails() == 2
    owner = signed_in_client(clinic, "owner")
    page = owner.get("/studio/subscribers")
    assert page.status_code == 200
    assert "Subscribed (2)" in page.text and "Not confirmed yet (1)" in page.text
    assert "one@example.com" in page.text and "p@x.com" not in page.text
    assert "Fresh news" in page.text  # what was sent, with its counts
    sent = page.text[page.text.index("What was sent") :]
    assert "<td>0</td><td>2</td>" in sent  # 0 sent, 2 waiting in the outbox
    export = owner.get("/studio/subscribers.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert "attachment" in export.headers["Content-Disposition"]
    lines = export.text.splitlines()
    assert lines[0] == "email,status,subscribed_at,confirmed_at,unsubscribed_at"
    assert any(line.startswith("'=cmd@example.com,confirmed,") for line in lines)
    assert len(lines) == 4
    assert audit(app)[-1][:2] == ("subscribers.export", owner.user.email)


def test_removing_a_subscriber_on_request(app, clinic, signed_in_client, make_tenant):
    subscribe_rows(app, clinic, [("one@example.com", "confirmed")])
    with app.app_context():
        sub_id = db.session.scalars(select(Subscriber.id)).one()
    other_owner = signed_in_client(make_tenant("clinic-b"), "owner")
    url = f"/studio/subscribers/{sub_id}/remove"
    assert other_owner.post(url, data={"csrf_token": other_owner.csrf}).status_code == 404
    owner = signed_in_client(clinic, "owner")
    assert owner.post(url, data={"csrf_token": owner.csrf}).status_code == 303
    with app.app_context():
        assert db.session.get(Subscriber, sub_id).status == "unsubscribed"
    assert audit(app)[-1][0] == "subscriber.remove"


def test_the_inbox_reads_without_changing_and_marks_by_post(
    app, clinic, signed_in_client, make_tenant
):
    with app.app_context():
        message = ContactMessage(
            tenant_id=clinic.id, name="Ada", email="ada@example.com", body="About my back pain"
        )
        db.session.add(message)
        db.session.commit()
        message_id = message.id
    desk = signed_in_client(clinic, "front_desk")
    inbox = desk.get("/studio/messages")
    assert "Inbox (1)" in inbox.text and "About my back pain" in inbox.text
    assert "About my back pain" in desk.get(f"/studio/messages/{message_id}").text
    with app.app_context():
        assert db.session.get(ContactMessage, message_id).status == "new"  # GET changed nothing
    for state in ("read", "replied", "archived", "new"):
        response = desk.post(
            f"/studio/messages/{message_id}", data={"csrf_token": desk.csrf, "state": state}
        )
        assert response.status_code == 303
        with app.app_context():
            assert db.session.get(ContactMessage, message_id).status == state
    assert [a for a, _, _ in audit(app)] == [
        "message.read",
        "message.replied",
        "message.archived",
        "message.new",
    ]
    assert all("back pain" not in str(row) for row in audit(app))
    other = signed_in_client(make_tenant("clinic-b"), "owner")
    assert other.get(f"/studio/messages/{message_id}").status_code == 404
    assert (
        other.post(
            f"/studio/messages/{message_id}", data={"csrf_token": other.csrf, "state": "archived"}
        ).status_code
        == 404
    )


def test_the_clinics_reply_follows_its_comment_out_of_sight_and_back(
    app, clinic, editor, client_for
):
    comment_id = add_comment(app, clinic, body="Question")
    editor.post(
        f"/studio/comments/{comment_id}/reply",
        data={"csrf_token": editor.csrf, "body": "Our answer"},
    )
    reader = client_for(clinic)
    assert "Our answer" in reader.get("/blog/hello").text
    assert "2 comments" in reader.get("/blog").text
    spam = {"csrf_token": editor.csrf, "status": "approved", "one": f"spam:{comment_id}"}
    assert editor.post("/studio/comments", data=spam).status_code == 303
    assert "Our answer" not in reader.get("/blog/hello").text
    assert "0 comments" in reader.get("/blog").text  # no orphan reply counted
    back = {"csrf_token": editor.csrf, "status": "spam", "one": f"approve:{comment_id}"}
    assert editor.post("/studio/comments", data=back).status_code == 303
    assert "Our answer" in reader.get("/blog/hello").text


def test_a_readers_question_becomes_an_faq_entry_with_the_clinics_reply(
    app, clinic, editor, client_for, make_tenant, signed_in_client
):
    comment_id = add_comment(app, clinic, body="Do you treat\nchildren?", author_name="Ada Reader")
    editor.post(
        f"/studio/comments/{comment_id}/reply",
        data={"csrf_token": editor.csrf, "body": "Yes, from age 12, with a parent."},
    )
    queue = editor.get("/studio/comments?status=approved")
    assert f"/studio/comments/{comment_id}/faq" in queue.text
    before = row_counts(app)
    form = editor.get(f"/studio/comments/{comment_id}/faq")
    assert form.status_code == 200 and row_counts(app) == before  # nothing saved yet
    assert 'value="Do you treat children?"' in form.text  # one line
    assert "Yes, from age 12, with a parent.</textarea>" in form.text
    assert 'action="/studio/faq/new"' in form.text and "ada@example.com" not in form.text
    saved = editor.post(
        "/studio/faq/new",
        data={
            "csrf_token": editor.csrf,
            "question": "Do you treat children?",
            "answer": "Yes, from age 12, with a parent.",
        },
    )
    assert saved.status_code in (302, 303)
    faq = client_for(clinic).get("/faq").text
    assert "Do you treat children?" in faq and "Ada Reader" not in faq
    assert audit(app)[-1][0] == "faq.create"
    other = signed_in_client(make_tenant("clinic-b"), "owner")
    assert other.get(f"/studio/comments/{comment_id}/faq").status_code == 404
