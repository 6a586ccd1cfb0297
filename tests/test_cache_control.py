"""No cache may store a response with a visitor's data or a cookie.

The walk covers every rule of the URL map (and so every future route), by a browser
that has booked (so the confirmation, cancel and reschedule pages answer 200 with the
visitor's details), on the clinic's host and the platform's.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from meridian.booking.tokens import make_token
from meridian.extensions import db
from meridian.models import Booking
from tests.test_security_headers import SAMPLE_ARGS

NO_STORE = "private, no-store"


def _storable(cache_control: str) -> bool:
    words = {w.strip() for w in cache_control.lower().split(",")}
    return not ({"no-store", "private"} & words)


@pytest.fixture
def booked(app, make_tenant, make_service, next_free, book_via_http, client_for):
    tenant = make_tenant("clinic-a", change_cutoff_hours=0)
    service = make_service(tenant)
    client = client_for(tenant)
    assert book_via_http(tenant, service, next_free(tenant, service), client=client).status_code
    with app.app_context():
        booking = db.session.scalars(select(Booking)).one()
        args = {
            "booking.confirmed:reference": booking.reference,
            "booking.cancel:token": make_token(booking, "cancel"),
            "booking.reschedule:token": make_token(booking, "reschedule"),
        }
    return tenant, client, args


def _url(app, rule, args) -> str:
    def sample(arg: str):
        if isinstance(rule._converters.get(arg), IntegerConverter):
            return 1
        return args.get(
            f"{rule.endpoint}:{arg}",
            SAMPLE_ARGS.get(f"{rule.endpoint}:{arg}", SAMPLE_ARGS.get(arg, "sample")),
        )

    values = {arg: sample(arg) for arg in rule.arguments}
    with app.test_request_context():
        return app.url_map.bind("localhost").build(rule.endpoint, values)


def test_every_route_answers_no_store_when_it_carries_a_visitor_or_a_cookie(
    app, booked, client_for
):
    tenant, visitor, args = booked
    reached = set()
    for host_client in (visitor, client_for("localhost")):
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            url = _url(app, rule, args)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                with host_client.open(url, method=method) as response:
                    where = f"{method} {url} -> {response.status_code}"
                    cache_control = response.headers.get("Cache-Control", "")
                    personal = rule.endpoint.startswith("booking.") and response.status_code < 300
                    if (
                        "Set-Cookie" in response.headers
                        or "Cookie" in response.headers.get("Vary", "")
                        or personal
                    ):
                        assert cache_control == NO_STORE, where
                    elif "public" not in cache_control:
                        # Caching is opt-in: anything else is never stored.
                        assert not _storable(cache_control) or "no-cache" in cache_control, where
                    if response.status_code == 200:
                        reached.add(rule.endpoint)
    # The walk reached the pages with the visitor's details, not just their 404s.
    assert {"booking.confirmed", "booking.cancel", "booking.reschedule"} <= reached


@pytest.mark.parametrize("page", ["details", "confirmed", "cancel", "reschedule"])
def test_the_pages_the_review_named(app, booked, page, next_free):
    tenant, visitor, args = booked
    urls = {
        "confirmed": f"/book/confirmed/{args['booking.confirmed:reference']}",
        "cancel": f"/book/cancel/{args['booking.cancel:token']}",
        "reschedule": f"/book/reschedule/{args['booking.reschedule:token']}",
    }
    if page == "details":
        with app.app_context():
            booking = db.session.scalars(select(Booking)).one()
            query = {"location": booking.location_id, "service": booking.service_id}
        response = visitor.get(
            "/book/details", query_string=query | {"start": "2030-01-07T10:00:00+00:00"}
        )
    else:
        response = visitor.get(urls[page])
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == NO_STORE


def test_public_pages_stay_cacheable(demo, client_for):
    response = client_for("zak-clinic.localhost").get("/blog")
    assert "public" in response.headers["Cache-Control"] and "Set-Cookie" not in response.headers
