"""The studio home: what needs attention, per role (drafts, scheduled posts, comments
waiting, upcoming bookings), and a link to the live site."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from meridian.extensions import db
from meridian.models import Booking, Comment, Post


@pytest.fixture
def clinic(make_tenant):
    return make_tenant("clinic-a", timezone="Europe/London")


def _comment(app, tenant, post_slug: str, name: str, status: str = "held") -> None:
    with app.app_context():
        post = db.session.scalars(db.select(Post).filter_by(tenant_id=tenant.id, slug=post_slug))
        db.session.add(
            Comment(
                tenant_id=tenant.id,
                post_id=post.one().id,
                author_name=name,
                author_email=f"{name.lower()}@example.com",
                body="A question",
                status=status,
            )
        )
        db.session.commit()


def test_held_comments_are_counted_and_named_for_writers_only(
    app, clinic, make_tenant, make_post, signed_in_client
):
    make_post(clinic, "sleep", title="Sleep well")
    _comment(app, clinic, "sleep", "Ada")
    _comment(app, clinic, "sleep", "Bea")
    _comment(app, clinic, "sleep", "Cy", status="approved")
    other = make_tenant("clinic-b")
    make_post(other, "sleep", title="Their post")
    _comment(app, other, "sleep", "Eve")

    page = signed_in_client(clinic, "editor").get("/studio/").text
    assert 'Comments waiting for approval <span class="count">(2)</span>' in page
    assert "Ada on “Sleep well”" in page and "Bea on “Sleep well”" in page
    assert "Cy on" not in page and "Eve" not in page and "Their post" not in page
    assert 'href="/studio/comments"' in page
    desk = signed_in_client(clinic, "front_desk").get("/studio/").text
    assert "Comments waiting" not in desk


def test_upcoming_bookings_are_counted_for_the_owner_and_the_desk_without_names(
    app, clinic, make_service, next_free, book_via_http, signed_in_client
):
    service = make_service(clinic)
    for index in (0, 1):
        start = next_free(clinic, service, index)
        assert book_via_http(clinic, service, start).status_code in (302, 303)
    with app.app_context():
        # One of them later than a week away, one cancelled: neither is counted.
        later = db.session.scalars(db.select(Booking).order_by(Booking.id)).all()[1]
        shift = datetime.now(UTC) + timedelta(days=20) - later.starts_at
        later.starts_at += shift
        later.ends_at += shift
        later.blocked_until += shift
        db.session.commit()
    clients = {role: signed_in_client(clinic, role) for role in ("owner", "front_desk")}
    for role, client in clients.items():
        page = client.get("/studio/").text
        assert 'Upcoming bookings <span class="count">(1)</span>' in page, role
        assert "1 appointment in the next seven days" in page
        assert "Ada Lovelace" not in page  # names stay on the desk, where views are audited
        assert 'href="/studio/bookings"' in page
    editor = signed_in_client(clinic, "editor").get("/studio/").text
    assert "Upcoming bookings" not in editor
    with app.app_context():
        db.session.execute(update(Booking).values(status="cancelled"))
        db.session.commit()
    page = clients["owner"].get("/studio/").text
    assert 'Upcoming bookings <span class="count">(0)</span>' in page


def test_the_home_page_links_to_the_live_site(clinic, signed_in_client):
    page = signed_in_client(clinic, "front_desk").get("/studio/").text
    assert ">View your site</a>" in page
