"""Comments, likes, subscribers and messages never cross between clinics."""

from __future__ import annotations

from sqlalchemy import select

from meridian.extensions import db
from meridian.models import Comment, ContactMessage, Like, OutboxMessage, Subscriber


def rows(app, model):
    with app.app_context():
        return [(row.tenant_id, row) for row in db.session.scalars(select(model))]


def test_nothing_crosses_between_clinics(
    app, make_tenant, make_post, client_for, comment_data, stamp
):
    a = make_tenant("clinic-a", name="Alpha Clinic")
    b = make_tenant("clinic-b", name="Beta Clinic")
    make_post(a, "alpha-only", title="Alpha post")
    make_post(b, "beta-only", title="Beta post")
    on_a, on_b = client_for(a), client_for(b)

    # B's host cannot comment on or like A's post.
    assert on_b.post("/comments/alpha-only", data=comment_data(b)).status_code == 404
    assert on_b.post("/likes/alpha-only").status_code == 404
    # A stamp made for A does not pass on B.
    cross = on_b.post("/comments/beta-only", data=comment_data(b, stamp=stamp(a, "comment")))
    assert cross.status_code == 200 and "please check" in cross.text

    assert on_a.post("/comments/alpha-only", data=comment_data(a, body="For A")).status_code == 303
    assert on_a.post("/likes/alpha-only").status_code == 303
    sub = {"email": "ada@example.com", "homepage": "", "stamp": stamp(a, "subscribe")}
    assert on_a.post("/subscribe", data=sub).status_code == 303
    msg = {
        "name": "Ada",
        "email": "ada@example.com",
        "body": "Hello A",
        "homepage": "",
        "stamp": stamp(a, "contact"),
    }
    assert on_a.post("/message", data=msg).status_code == 303

    for model in (Comment, Like, Subscriber, ContactMessage):
        assert [tenant_id for tenant_id, _ in rows(app, model)] == [a.id], model
    for tenant_id, mail in rows(app, OutboxMessage):
        assert tenant_id == a.id and "clinic-b" not in mail.body_text

    # The same address subscribes to B separately; A's like cookie means nothing on B.
    sub_b = {"email": "ada@example.com", "homepage": "", "stamp": stamp(b, "subscribe")}
    assert on_b.post("/subscribe", data=sub_b).status_code == 303
    assert sorted(t for t, _ in rows(app, Subscriber)) == sorted([a.id, b.id])
    assert on_b.post("/likes/beta-only").status_code == 303  # a first like on B
    # A's comment, once approved, shows on A only.
    with app.app_context():
        for comment in db.session.scalars(select(Comment)):
            comment.status = "approved"
        db.session.commit()
    assert "For A" in on_a.get("/blog/alpha-only").text
    assert "For A" not in on_b.get("/blog/beta-only").text
