"""Which article brought them: a booking made through a post's "Book" button is counted
for that post, with no cookie; one from the home page is not; another clinic's post, a
draft or an ill-formed value is simply no attribution (never an error, never counted)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from flask import g
from sqlalchemy import delete, select

from meridian.desk import attribution
from meridian.extensions import db
from meridian.models import Booking, Post, Tenant

from ..factories import csrf_token
from .conftest import REASON


def _form(html: str, action: str):
    doc = lxml.html.fromstring(html)
    forms = [f for f in doc.forms if (f.get("action") or "").split("?")[0] == action]
    assert forms, f"no form to {action}"
    return forms[-1]


def _book_links(html: str) -> list[str]:
    doc = lxml.html.fromstring(html)
    return [href for href in doc.xpath("//a/@href") if urlsplit(href).path == "/book"]


def walk_and_book(client, entry: str, service, start, pages: list | None = None):
    """Follow a "Book" link like a browser: choose the service, the day's time, fill in
    the details (with a reason for visit) and confirm. Returns the final response."""
    pages = pages if pages is not None else []
    page = client.get(entry)
    pages.append((entry, page))
    assert page.status_code == 200, page.text
    if "Which service?" in page.text:
        form = _form(page.text, "/book")
        values = dict(form.form_values()) | {"service": str(service.id)}
        page = client.get("/book", query_string=values)
        pages.append(("/book?" + str(values), page))
        assert page.status_code == 200
    # The times step: its GET form to the details step, with the time we want.
    form = _form(page.text, "/book/details")
    values = dict(form.form_values()) | {"start": start.isoformat()}
    page = client.get("/book/details", query_string=values)
    pages.append(("/book/details?" + str(values), page))
    assert page.status_code == 200, page.text
    form = _form(page.text, "/book/details")
    data = dict(form.form_values()) | {
        "csrf_token": csrf_token(page.text),
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": "020 7946 0018",
        "reason": REASON,
        "consent": "y",
    }
    response = client.post("/book/details", data=data)
    pages.append(("POST /book/details", response))
    return response


def _only_booking(app, tenant) -> Booking:
    with app.app_context():
        row = db.session.scalars(select(Booking).where(Booking.tenant_id == tenant.id)).one()
        db.session.expunge(row)
        return row


def _counts(app, tenant, post_id: int) -> attribution.Count:
    """The counts as the clinic's studio computes them (its own tenant scope)."""
    with app.test_request_context():
        g.tenant = db.session.get(Tenant, tenant.id)
        return attribution.count(post_id)


@pytest.fixture
def clinic(make_tenant, make_service, make_post):
    tenant = make_tenant("clinic-a")
    service = make_service(tenant, price_minor=0)
    post = make_post(tenant, "sleep-and-acupuncture", title="Sleep and acupuncture")
    return tenant, service, post


def test_a_booking_from_a_posts_button_is_counted_for_that_post(
    app, client_for, clinic, next_free, signed_in_client
):
    tenant, service, post = clinic
    client = client_for(tenant)
    page = client.get(f"/blog/{post.slug}")
    assert page.status_code == 200
    assert "Set-Cookie" not in page.headers  # the cached post page stays cookie-free
    links = _book_links(page.text)
    # Every "Book" link on the post's page (call to action, header, footer) names it.
    assert len(links) >= 2
    assert all(parse_qs(urlsplit(href).query).get("from") == [str(post.id)] for href in links)
    # The same page for every reader: the link is static, a second fetch is identical.
    assert client_for(tenant).get(f"/blog/{post.slug}").text == page.text

    pages: list = []
    response = walk_and_book(client, links[0], service, next_free(tenant, service), pages)
    assert response.status_code == 303, response.text
    booking = _only_booking(app, tenant)
    assert booking.from_post_id == post.id
    assert booking.reason == REASON
    # Carried in the URLs and hidden fields of every step, never the reason for visit.
    for where, step in pages:
        assert REASON not in where
        assert REASON not in step.headers.get("Location", "")
        for href in lxml.html.fromstring(step.text or "<p></p>").xpath("//a/@href"):
            assert "reason" not in href and REASON not in href
    assert _counts(app, tenant, post.id) == attribution.Count(recent=1, total=1)

    owner = signed_in_client(tenant, "owner")
    listing = owner.get("/studio/posts")
    assert "bookings from it: 1 in the last 90 days, 1 in all" in listing.text
    editor_page = owner.get(f"/studio/posts/{post.id}/edit")
    assert "1 in the last 90 days, 1 in all." in editor_page.text
    desk = owner.get(f"/studio/bookings/{booking.id}")
    assert "Booked from the post “" in desk.text
    assert f'href="/blog/{post.slug}">Sleep and acupuncture</a>' in desk.text


def test_a_booking_from_the_home_page_is_not_counted(
    app, client_for, clinic, next_free, signed_in_client
):
    tenant, service, post = clinic
    client = client_for(tenant)
    home = client.get("/")
    links = _book_links(home.text)
    assert links and not any("from=" in href for href in links)
    response = walk_and_book(client, links[0], service, next_free(tenant, service))
    assert response.status_code == 303
    assert _only_booking(app, tenant).from_post_id is None
    assert _counts(app, tenant, post.id) == attribution.Count(0, 0)
    owner = signed_in_client(tenant, "owner")
    assert "bookings from it: 0 in the last 90 days, 0 in all" in owner.get("/studio/posts").text
    booking_id = _only_booking(app, tenant).id
    assert "Booked from the post" not in owner.get(f"/studio/bookings/{booking_id}").text


def test_another_clinics_post_is_ignored_and_counts_stay_in_their_clinic(
    app, client_for, clinic, make_tenant, make_service, make_post, next_free
):
    tenant, service, post = clinic
    other = make_tenant("clinic-b")
    other_service = make_service(other, price_minor=0)
    theirs = make_post(other, "their-post")
    client = client_for(tenant)
    entry = f"/book?from={theirs.id}"
    response = walk_and_book(client, entry, service, next_free(tenant, service))
    assert response.status_code == 303
    assert _only_booking(app, tenant).from_post_id is None
    assert _counts(app, tenant, theirs.id) == attribution.Count(0, 0)
    assert _counts(app, other, theirs.id) == attribution.Count(0, 0)

    # A booking at clinic B from B's post counts for B only: A's studio, asked about
    # B's post id, sees nothing.
    response = walk_and_book(
        client_for(other),
        f"/book?from={theirs.id}",
        other_service,
        next_free(other, other_service),
    )
    assert response.status_code == 303
    assert _only_booking(app, other).from_post_id == theirs.id
    assert _counts(app, other, theirs.id).total == 1
    assert _counts(app, tenant, theirs.id).total == 0
    assert _counts(app, tenant, post.id).total == 0


@pytest.mark.parametrize(
    "raw", ["abc", "-1", "0", "99999999999", "１２", "1e3", "+12", "12abc", "", "999999"]
)
def test_an_ill_formed_or_unknown_from_is_no_attribution_never_an_error(
    app, client_for, clinic, next_free, raw
):
    tenant, service, _ = clinic
    client = client_for(tenant)
    response = walk_and_book(client, f"/book?from={raw}", service, next_free(tenant, service))
    assert response.status_code == 303
    assert _only_booking(app, tenant).from_post_id is None


def test_a_forged_from_in_the_details_form_is_ignored(
    app, client_for, clinic, make_tenant, make_post, next_free, book_via_http
):
    """The hidden field is the visitor's to change: only this clinic's published posts."""
    tenant, service, _ = clinic
    draft = make_post(tenant, "draft", published_at=None)
    other = make_tenant("clinic-b")
    theirs = make_post(other, "their-post")
    for index, forged in enumerate([str(draft.id), str(theirs.id), "x" * 5000]):
        start = next_free(tenant, service, index)
        response = book_via_http(tenant, service, start, **{"from": forged})
        assert response.status_code == 303, response.text
    with app.app_context():
        assert db.session.scalars(
            select(Booking.from_post_id).where(Booking.tenant_id == tenant.id)
        ).all() == [None, None, None]


def test_a_reschedule_keeps_the_count_and_a_deleted_post_keeps_the_booking(
    app, client_for, clinic, next_free, signed_in_client
):
    tenant, service, post = clinic
    response = walk_and_book(
        client_for(tenant), f"/book?from={post.id}", service, next_free(tenant, service)
    )
    assert response.status_code == 303
    booking = _only_booking(app, tenant)
    owner = signed_in_client(tenant, "owner")
    move = owner.get(f"/studio/bookings/{booking.id}/move")
    moved = owner.post(
        f"/studio/bookings/{booking.id}/move",
        data={
            "csrf_token": csrf_token(move.text),
            "start": next_free(tenant, service, 5).isoformat(),
        },
    )
    assert moved.status_code in (302, 303), moved.text
    with app.app_context():
        rows = db.session.scalars(
            select(Booking).where(Booking.tenant_id == tenant.id).order_by(Booking.id)
        ).all()
        assert [r.status for r in rows] == ["rescheduled", "confirmed"]
        new_id = rows[1].id
    assert _counts(app, tenant, post.id) == attribution.Count(1, 1)  # one booking made
    assert "Booked from the post" in owner.get(f"/studio/bookings/{new_id}").text

    with app.app_context():
        db.session.execute(delete(Post).where(Post.id == post.id))
        db.session.commit()
        kept = db.session.get(Booking, booking.id)
        assert kept is not None and kept.from_post_id is None  # ON DELETE SET NULL
    assert "Booked from the post" not in owner.get(f"/studio/bookings/{new_id}").text
