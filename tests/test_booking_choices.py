"""The smoothed booking flow over HTTP: choices carried in, practitioners, the week
view, one time format, a gone time said early, an expired page kept, rate limits."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func, select

from meridian.extensions import db
from meridian.models import Booking, Location, Practitioner, Service
from tests.factories import csrf_token


def one_id(app, model, **by) -> int:
    with app.app_context():
        return db.session.scalars(select(model.id).filter_by(**by)).one()


def test_a_practitioners_book_button_narrows_the_choices(app, demo, client_for):
    zak = demo["zak-clinic"]
    samira = one_id(app, Practitioner, tenant_id=zak.id, slug="samira-haddad")
    client = client_for(zak)
    page = client.get("/book", query_string={"practitioner": samira})
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    assert "Book an appointment with Samira Haddad" in page.text
    assert f'name="practitioner" value="{samira}"' in page.text
    assert "Which location?" in page.text and "Which service?" in page.text
    pimlico = one_id(app, Location, tenant_id=zak.id, slug="pimlico")
    free = one_id(app, Service, tenant_id=zak.id, slug="free-consultation")
    times = client.get(
        "/book", query_string={"practitioner": samira, "location": pimlico, "service": free}
    ).text
    assert "<dt>With</dt><dd>Samira Haddad</dd>" in times
    assert 'name="start"' in times and "London time" in times
    # Her time on the details form carries her too.
    assert f'<input type="hidden" name="practitioner" value="{samira}">' in times


def test_the_home_consultation_button_arrives_with_the_service_chosen(app, demo, client_for):
    acute = demo["acute-acupuncture"]
    free = one_id(app, Service, tenant_id=acute.id, slug="free-consultation")
    page = client_for(acute).get("/book", query_string={"service": free}).text
    assert "Which service?" not in page  # one location, the service chosen: the times
    assert "Free 15-minute consultation" in page and 'name="start"' in page
    # Two practitioners: first available, or either of them.
    assert "Who would you like to see?" in page
    assert 'aria-current="true">First available</a>' in page
    assert ">Aroha Ngata</a>" in page and ">Daniel Chen</a>" in page


def test_week_view_moves_by_week_and_days_without_times_are_not_links(
    make_tenant, make_service, client_for
):
    tenant = make_tenant()  # open Monday to Friday
    service = make_service(tenant)
    client = client_for(tenant)
    ids = {"location": tenant.locations[0].id, "service": service.id}
    first = client.get("/book", query_string=ids).text
    assert first.count('class="no-times"') >= 2  # the weekend at least
    days = re.findall(r'href="/book\?day=([0-9-]+)&amp;location=\d+&amp;service=\d+#times"', first)
    assert 1 <= len(days) <= 5
    nxt = re.search(r'href="(/book\?[^"]*week=([0-9-]+)[^"]*#week)">Next week', first)
    assert nxt, first
    week = date.fromisoformat(nxt.group(2))
    assert week.weekday() == 0  # weeks start on Monday in en_GB
    second = client.get(nxt.group(1).replace("&amp;", "&")).text
    later = re.findall(r'href="/book\?day=([0-9-]+)&amp;', second)
    assert len(later) == 5 and all(date.fromisoformat(d) >= week for d in later)
    assert "Previous week" in second
    assert second.count('aria-current="date"') == 1


def test_one_time_format_per_locale_and_the_city_names_the_clock(app, demo, client_for):
    acute = demo["acute-acupuncture"]
    free = one_id(app, Service, tenant_id=acute.id, slug="free-consultation")
    page = client_for(acute).get("/book", query_string={"service": free}).text
    grid = re.findall(r'<time datetime="[^"]+">([^<]+)</time>', page)
    assert grid and all(re.fullmatch(r"\d{1,2}:\d{2}\s?[ap]m", t) for t in grid), grid
    assert "(Wellington time)" in page and "Pacific/Auckland" not in page
    zak = demo["zak-clinic"]
    pimlico = one_id(app, Location, tenant_id=zak.id, slug="pimlico")
    free = one_id(app, Service, tenant_id=zak.id, slug="free-consultation")
    page = client_for(zak).get("/book", query_string={"service": free, "location": pimlico})
    grid = re.findall(r'<time datetime="[^"]+">([^<]+)</time>', page.text)
    assert grid and all(re.fullmatch(r"\d{2}:\d{2}", t) for t in grid), grid


def test_a_time_that_has_gone_is_said_before_typing_with_other_times(
    app, make_tenant, make_service, next_free, book_via_http, client_for
):
    tenant = make_tenant()
    service = make_service(tenant)
    start = next_free(tenant, service, 4)
    assert book_via_http(tenant, service, start).status_code == 303
    page = client_for(tenant).get(
        "/book/details",
        query_string={
            "location": tenant.locations[0].id,
            "service": service.id,
            "start": start.isoformat(),
        },
    )
    assert page.status_code == 200
    html = page.text
    assert "just taken" in html and 'role="alert"' in html
    assert html.index("just taken") < html.index('name="name"')  # before any field
    offered = re.findall(r'name="start" value="([^"]+)"', html)
    assert offered and start.isoformat() not in offered
    assert 'aria-invalid="true"' not in html  # nothing typed, nothing wrong yet


def test_an_expired_page_keeps_everything_typed_and_asks_to_confirm_again(
    app, make_tenant, make_service, next_free, client_for
):
    tenant = make_tenant()
    service = make_service(tenant)
    start = next_free(tenant, service)
    client = client_for(tenant)
    typed = {
        "location": tenant.locations[0].id,
        "service": service.id,
        "practitioner": "",
        "start": start.isoformat(),
        "name": "Grace Hopper",
        "email": "grace@example.com",
        "phone": "020 7946 0018",
        "reason": "a stiff neck",
        "consent": "y",
        "csrf_token": "expired-or-from-another-session",
    }
    page = client.post("/book/details", data=typed)
    assert page.status_code == 400
    html = page.text
    assert "please check it and confirm again" in html
    assert "Clinic A" in html and "Bad Request" not in html  # the clinic's own page
    for value in ("Grace Hopper", "grace@example.com", "020 7946 0018"):
        assert f'value="{value}"' in html
    assert "a stiff neck</textarea>" in html
    # The fresh token on that page works: confirming again books.
    again = client.post("/book/details", data=typed | {"csrf_token": csrf_token(html)})
    assert again.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_the_rate_limit_page_is_the_clinics_and_says_when(
    app, make_tenant, make_service, client_for, monkeypatch
):
    monkeypatch.setitem(app.config, "RATE_LIMITS_ENABLED", True)
    monkeypatch.setitem(app.config, "BOOKING_RATE_LIMIT", "1 per minute")
    tenant = make_tenant()
    service = make_service(tenant)
    client = client_for(tenant)
    ids = {"location": tenant.locations[0].id, "service": service.id}
    page = client.get("/book/details", query_string=ids | {"start": "2030-01-07T09:00:00+00:00"})
    ids["csrf_token"] = csrf_token(page.text)
    assert client.post("/book/details", data=ids).status_code == 422
    limited = client.post("/book/details", data=ids)
    assert limited.status_code == 429
    assert "Clinic A" in limited.text and "Please wait a moment" in limited.text
    assert re.search(r"try again in 1 minute\b", limited.text)
    assert 1 <= int(limited.headers["Retry-After"]) <= 61


def test_first_available_spreads_http_bookings_between_practitioners(
    app, make_tenant, make_service, add_practitioner, next_free, book_via_http
):
    tenant = make_tenant()
    add_practitioner(tenant, "sam")
    service = make_service(tenant)
    start = next_free(tenant, service, 4)
    for n in range(2):
        response = book_via_http(tenant, service, start, email=f"p{n}@example.com")
        assert response.status_code == 303
    with app.app_context():
        people = db.session.scalars(select(Booking.practitioner_id)).all()
        assert len(set(people)) == 2  # the same time, one each
    third = book_via_http(tenant, service, start, email="p3@example.com")
    assert third.status_code == 409 and "just taken" in third.text


def test_day_and_week_values_that_make_no_sense_are_answered_politely(
    make_tenant, make_service, client_for
):
    tenant = make_tenant()
    service = make_service(tenant)
    client = client_for(tenant)
    ids = {"location": tenant.locations[0].id, "service": service.id}
    for bad in ({"day": "2020-13-45"}, {"week": "soon"}, {"day": "2020-01-01"}):
        page = client.get("/book", query_string=ids | bad)
        assert page.status_code == 200
    far = (date.today() + timedelta(days=400)).isoformat()
    assert "too far ahead" in client.get("/book", query_string=ids | {"day": far}).text
