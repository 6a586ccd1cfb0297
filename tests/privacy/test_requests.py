"""Data requests: asked on the site, confirmed from the mailbox, answered in the studio."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from meridian.engagement.guard import STAMP_SALT
from meridian.extensions import db, limiter
from meridian.models import AuditEvent, DataRequest, OutboxMessage
from meridian.privacy.deadlines import due_on
from meridian.privacy.requests import confirm_token

LINK = re.compile(r"https?://[^/\s]+(/privacy/request/confirm/\S+)")


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


class _PastSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 60


def stamp(app, tenant) -> str:
    return _PastSigner(app.secret_key, salt=STAMP_SALT).sign(f"{tenant.id}.request").decode()


def ask(app, client, tenant, **fields):
    data = {
        "kind": "copy",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "details": "",
        "homepage": "",
        "stamp": stamp(app, tenant),
    } | fields
    return client.post("/privacy/request", data=data)


def mailed_link(app, to: str) -> str:
    with app.app_context():
        body = db.session.scalars(
            select(OutboxMessage.body_text).where(
                OutboxMessage.recipient == to, OutboxMessage.kind == "privacy-request-confirm"
            )
        ).one()
    return LINK.search(body).group(1)


# --- due dates -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "country", "expected"),
    [
        (date(2026, 4, 1), "GB", date(2026, 5, 1)),  # one calendar month
        (date(2027, 1, 31), "GB", date(2027, 3, 1)),  # 28 Feb is a Sunday
        (date(2026, 3, 30), "GB", date(2026, 4, 30)),
        (date(2026, 4, 25), "GB", date(2026, 5, 26)),  # 25 May is a bank holiday
        (date(2026, 11, 24), "NZ", date(2026, 12, 22)),  # 20 working days
        (date(2026, 12, 1), "NZ", date(2027, 1, 20)),  # 25 Dec - 15 Jan do not count
        (date(2027, 2, 1), "NZ", date(2027, 3, 2)),  # Waitangi Day, Mondayised to 8 Feb
    ],
)
def test_due_dates_follow_each_countrys_law(received, country, expected):
    assert due_on(received, country, "ENG" if country == "GB" else "") == expected


# --- the whole way ---------------------------------------------------------------


def test_a_request_reaches_the_desk_only_once_confirmed(
    app, make_tenant, client_for, signed_in_client
):
    clinic = make_tenant("clinic-a", country="NZ", timezone="Pacific/Auckland")
    visitor = client_for(clinic)
    form = visitor.get("/privacy/request")
    assert form.status_code == 200 and "Set-Cookie" not in form.headers
    assert "no-store" in form.headers["Cache-Control"]
    response = ask(app, visitor, clinic, kind="correct", details="My phone is now 021 555 0100")
    assert response.status_code == 303
    desk = signed_in_client(clinic, "front_desk")
    assert "Ada Lovelace" not in desk.get("/studio/requests").text  # not confirmed yet
    with app.app_context():
        row = db.session.scalars(select(DataRequest)).one()
        assert row.status == "unconfirmed" and row.due_on is None
        request_id = row.id
    assert desk.get(f"/studio/requests/{request_id}").status_code == 404
    # The e-mail carries the link and never what the visitor wrote.
    link = mailed_link(app, "ada@example.com")
    with app.app_context():
        body = db.session.scalars(select(OutboxMessage.body_text)).one()
    assert "021 555 0100" not in body
    # Opening the link changes nothing; its button does.
    page = visitor.get(link)
    assert page.status_code == 200 and "Yes, send my request" in page.text
    with app.app_context():
        assert db.session.get(DataRequest, request_id).status == "unconfirmed"
    done = visitor.post(link)
    assert done.status_code == 200 and "Your request has been sent" in done.text
    with app.app_context():
        row = db.session.get(DataRequest, request_id)
        assert row.status == "open" and row.due_on is not None
        due = row.due_on
        clinic_mail = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "privacy-request-open")
        ).one()
        assert clinic_mail.recipient == "hello@clinic-a.test"
        assert "021 555 0100" not in clinic_mail.body_text
    assert visitor.post(link).status_code == 200  # a second press changes nothing
    listing = desk.get("/studio/requests").text
    assert "Ada Lovelace" in listing and due.isoformat() in listing
    shown = desk.get(f"/studio/requests/{request_id}")
    assert shown.status_code == 200 and "021 555 0100" in shown.text
    answered = desk.post(
        f"/studio/requests/{request_id}",
        data={"csrf_token": desk.csrf, "note": "Phone number corrected in the booking."},
    )
    assert answered.status_code == 303
    with app.app_context():
        row = db.session.get(DataRequest, request_id)
        assert row.status == "answered" and row.answered_by == desk.user.email
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.target == f"data_request:{request_id}")
        ).all()
        assert "privacy_request.view" in actions and "privacy_request.answer" in actions


def test_answering_needs_a_note(app, make_tenant, client_for, signed_in_client):
    clinic = make_tenant("clinic-a")
    ask(app, client_for(clinic), clinic)
    client_for(clinic).post(mailed_link(app, "ada@example.com"))
    owner = signed_in_client(clinic, "owner")
    with app.app_context():
        request_id = db.session.scalars(select(DataRequest.id)).one()
    response = owner.post(f"/studio/requests/{request_id}", data={"csrf_token": owner.csrf})
    assert response.status_code == 422 and "Please say how you answered" in response.text
    with app.app_context():
        assert db.session.get(DataRequest, request_id).status == "open"


def test_requests_never_cross_clinics(app, make_tenant, client_for, signed_in_client):
    a = make_tenant("clinic-a")
    b = make_tenant("clinic-b")
    ask(app, client_for(a), a)
    link = mailed_link(app, "ada@example.com")
    # Clinic A's link on clinic B's host finds nothing and confirms nothing.
    assert client_for(b).post(link).status_code == 404
    client_for(a).post(link)
    with app.app_context():
        request_id = db.session.scalars(select(DataRequest.id)).one()
    b_desk = signed_in_client(b, "front_desk")
    assert "Ada Lovelace" not in b_desk.get("/studio/requests").text
    assert b_desk.get(f"/studio/requests/{request_id}").status_code == 404
    response = b_desk.post(
        f"/studio/requests/{request_id}", data={"csrf_token": b_desk.csrf, "note": "done"}
    )
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(DataRequest, request_id).status == "open"


def test_editors_do_not_see_requests(make_tenant, signed_in_client):
    editor = signed_in_client(make_tenant("clinic-a"), "editor")
    assert editor.get("/studio/requests").status_code == 403


# --- bad input, bots, floods, forged links -----------------------------------------


def test_bad_input_comes_back_with_errors_and_the_words_kept(app, make_tenant, client_for):
    clinic = make_tenant("clinic-a")
    response = ask(
        app,
        client_for(clinic),
        clinic,
        kind="everything",
        email="not-an-address",
        details="Keep this text",
    )
    assert response.status_code == 422
    assert 'id="request-kind-error"' in response.text
    assert 'id="request-email-error"' in response.text
    assert "Keep this text" in response.text
    with app.app_context():
        assert db.session.scalars(select(DataRequest)).first() is None


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": ["copy", "erase"], "name": "x" * 500},
        {"name": "A\x00B", "email": "a@example.com", "kind": "copy"},
        {"details": "x" * 50_000, "kind": "copy"},
    ],
)
def test_no_500_on_garbage(app, make_tenant, client_for, data):
    clinic = make_tenant("clinic-a")
    response = client_for(clinic).post("/privacy/request", data=data)
    assert response.status_code in (200, 422)
    with app.app_context():
        assert db.session.scalars(select(DataRequest)).first() is None


def test_a_bot_filling_the_honeypot_is_thanked_and_nothing_is_stored(app, make_tenant, client_for):
    clinic = make_tenant("clinic-a")
    response = ask(app, client_for(clinic), clinic, homepage="http://spam.example")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalars(select(DataRequest)).first() is None
        assert db.session.scalars(select(OutboxMessage)).first() is None


def test_without_a_stamp_the_visitor_checks_and_sends_again(app, make_tenant, client_for):
    clinic = make_tenant("clinic-a")
    response = ask(app, client_for(clinic), clinic, stamp="")
    assert response.status_code == 200 and "Almost there" in response.text
    assert 'value="Ada Lovelace"' in response.text
    with app.app_context():
        assert db.session.scalars(select(DataRequest)).first() is None


def test_a_flood_is_limited(app, make_tenant, client_for, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMITS_ENABLED", True)
    clinic = make_tenant("clinic-a")
    client = client_for(clinic)
    codes = [ask(app, client, clinic, email=f"p{i}@example.com").status_code for i in range(5)]
    assert codes[:3] == [303, 303, 303] and codes[3:] == [429, 429]
    with app.app_context():
        assert len(db.session.scalars(select(DataRequest)).all()) == 3


def test_another_site_cannot_post_the_form(app, make_tenant, client_for):
    clinic = make_tenant("clinic-a")
    response = client_for(clinic).post(
        "/privacy/request",
        data={"kind": "copy", "name": "A", "email": "a@example.com", "stamp": stamp(app, clinic)},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalars(select(DataRequest)).first() is None


def test_forged_and_expired_links_confirm_nothing(app, make_tenant, client_for, monkeypatch):
    clinic = make_tenant("clinic-a")
    client = client_for(clinic)
    ask(app, client, clinic)
    assert client.post("/privacy/request/confirm/not-a-token").status_code == 400
    link = mailed_link(app, "ada@example.com")
    monkeypatch.setitem(app.config, "PRIVACY_REQUEST_LINK_MAX_AGE", -1)
    response = client.post(link)
    assert response.status_code == 400 and "This link has expired" in response.text
    with app.app_context():
        row = db.session.scalars(select(DataRequest)).one()
        assert row.status == "unconfirmed"
        forged = confirm_token(row).replace(".", "x", 1)
    assert client.post(f"/privacy/request/confirm/{forged}").status_code == 400


def test_the_notice_points_to_the_request_form(make_tenant, client_for):
    clinic = make_tenant("clinic-a")
    assert 'href="/privacy/request"' in client_for(clinic).get("/privacy").text
