"""The outside review's malformed requests, one by one: a 400 or 404 in the clinic's look,
never a 500, nothing written. (tests/test_fuzz_routes.py covers the class.)"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from meridian.extensions import db
from meridian.models import Booking, OutboxMessage
from meridian.params import day, instant, page_arg
from tests.conftest import csrf_token

HOST = "zak-clinic.localhost"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/blog?page=99999999999999999999", 404),
        ("/blog?page=9223372036854775807", 404),
        ("/blog?page=²", 404),
        ("/blog?page=٣", 404),
        ("/blog/tag/immune-health?page=99999999999999999999", 404),
        ("/blog/tag/immune-health?page=²", 404),
        ("/book?location=²", 404),
        ("/book?service=²", 404),
        ("/book?service=99999999999", 404),
        ("/blog/a%00b", 404),
        ("/blog/tag/a%00b", 404),
        ("/contact/a%00b", 404),
        ("/blog?page=1%00", 400),
        ("/book/confirmed/ABC%00DEFG", 404),
        ("/book/cancel/a%00b", 404),
    ],
)
def test_malformed_urls_are_a_clinic_page_not_a_500(demo, client_for, path, status):
    response = client_for(HOST).get(path)
    assert response.status_code == status
    assert "Zak Clinic" in response.text  # the clinic's header and footer


@pytest.mark.parametrize(
    "start",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "２０３０-01-01T09:00:00+00:00"],
)
def test_booking_times_at_the_calendar_edges(
    app, make_tenant, make_service, next_free, client_for, start
):
    tenant = make_tenant()
    service = make_service(tenant)
    client = client_for(tenant)
    ids = {"location": tenant.locations[0].id, "service": service.id}
    assert (
        client.get("/book", query_string=ids | {"start": start, "day": start[:10]}).status_code
        == 200
    )
    details = client.get("/book/details", query_string=ids | {"start": start})
    assert details.status_code == 302  # back to choosing a time
    good = client.get(
        "/book/details", query_string=ids | {"start": next_free(tenant, service).isoformat()}
    )
    form = ids | {
        "csrf_token": csrf_token(good.text),
        "start": start,
        "name": "Ada",
        "email": "ada@example.com",
        "phone": "020 7946 0018",
        "consent": "y",
    }
    posted = client.post("/book/details", data=form)
    assert posted.status_code == 422 and "choose a time" in posted.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def test_the_parsers_bounds(app):
    assert instant("0001-01-01T00:00:00+14:00") is None
    assert instant("9999-12-31T23:59:59-14:00") is None
    assert instant("2030-01-01T09:00:00") is None  # no offset: ambiguous
    assert instant("2030-01-01T09:00:00+13:00").isoformat() == "2029-12-31T20:00:00+00:00"
    assert day("0001-01-01") is None and day("2030-01-01").year == 2030
    with app.test_request_context("/?page=2"):
        assert page_arg() == 2
    for raw in ("02", "0", "-1", "²", "10001", " 1"):
        with app.test_request_context("/", query_string={"page": raw}), pytest.raises(NotFound):
            page_arg()


NUL_AND_CONTROLS = [
    ({"name": "Ada\r\nBcc: victim@example.com"}, "name", "one line"),
    ({"name": "Ada\x07"}, "name", "one line"),
    ({"name": "Ada\u2028Lovelace"}, "name", "one line"),
    ({"phone": "020 7946 0018\nX-Header: 1"}, "phone", "one line"),
    ({"email": "ada@example.com\r\nBcc: x@example.com"}, "email", "one line"),
    ({"reason": "sore\x1bknee"}, "reason", "control"),
]


@pytest.mark.parametrize(("fields", "field", "message"), NUL_AND_CONTROLS)
def test_single_line_fields_refuse_line_breaks_and_controls_with_a_message(
    app, make_tenant, make_service, next_free, book_via_http, fields, field, message
):
    tenant = make_tenant()
    service = make_service(tenant)
    response = book_via_http(tenant, service, next_free(tenant, service), **fields)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text and message in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_a_reason_may_have_line_breaks(app, make_tenant, make_service, next_free, book_via_http):
    tenant = make_tenant()
    service = make_service(tenant)
    response = book_via_http(
        tenant, service, next_free(tenant, service), reason="one\r\ntwo\tthree"
    )
    assert response.status_code == 303


@pytest.mark.parametrize("field", ["name", "reason", "email", "phone"])
def test_a_nul_in_a_form_field_is_refused_next_to_the_field(
    app, make_tenant, make_service, next_free, book_via_http, field
):
    tenant = make_tenant()
    service = make_service(tenant)
    response = book_via_http(tenant, service, next_free(tenant, service), **{field: "a\x00b"})
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def test_every_form_refuses_a_nul_in_any_field(app):
    """The guard reaches forms written by anyone, present and future."""
    from flask_wtf import FlaskForm
    from wtforms import PasswordField, StringField

    class AnyForm(FlaskForm):
        class Meta:
            csrf = False

        email = StringField()
        secret = PasswordField()

    with app.test_request_context(method="POST", data={"email": "a\x00b", "secret": "ok"}):
        form = AnyForm()
        assert not form.validate()
        assert "can't store" in form.errors["email"][0] and "secret" not in form.errors


@pytest.mark.parametrize(
    "path",
    [
        "/studio/comments?page=²",
        "/studio/subscribers?page=²",
        "/studio/audit?page=²",
        "/studio/audit?page=99999999999999999999",
        "/studio/messages/99999999999999999999",
        "/studio/comments/99999999999999999999/reply",
    ],
)
def test_staff_pages_take_malformed_numbers_without_a_500(demo, signed_in_client, path):
    """Found by the signed-in fuzz walk: `str.isdigit()` is true for '²', and an id no
    column can hold overflowed the driver."""
    response = signed_in_client(demo["zak-clinic"], "owner").get(path)
    assert response.status_code in (200, 404), response.status_code


def test_an_id_beyond_any_column_is_a_404_from_the_router(demo, admin_client):
    response = admin_client().get("/admin/clinics/99999999999999999999")
    assert response.status_code == 404


def test_a_nul_in_the_sign_in_e_mail_is_refused_not_a_500(demo, client_for, app):
    """On PostgreSQL the query with a NUL fails; the form refuses it first, and the
    refused sign-in writes nothing but its audit row."""
    client = client_for(HOST)
    page = client.get("/studio/sign-in")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    response = client.post(
        "/studio/sign-in",
        data={"csrf_token": csrf_token(page.text), "email": "a\x00@b.example", "password": "x"},
    )
    assert response.status_code == 200
    assert "NUL" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == before
