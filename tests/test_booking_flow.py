"""The booking flow over HTTP: happy path, bad input, races, new clients, cookies."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from meridian.booking.service import rules_for
from meridian.booking.slots import holidays_between
from meridian.extensions import db
from meridian.models import Booking, Location, OutboxMessage, Service, SlotClaim
from tests.factories import csrf_token


def count(model) -> int:
    return db.session.scalar(
        select(func.count()).select_from(model).execution_options(all_tenants=True)
    )


def test_first_step_sets_no_cookie_and_lists_times(make_tenant, make_service, client_for):
    tenant = make_tenant()
    service = make_service(tenant)
    client = client_for(tenant)
    first = client.get("/book")
    assert first.status_code == 200 and "Set-Cookie" not in first.headers
    assert "Consult" in first.text and 'type="radio" name="service"' in first.text
    times = client.get("/book", query_string={"service": service.id})
    assert "Set-Cookie" not in times.headers
    assert "<fieldset" in times.text and "<legend>Free times on" in times.text
    assert "(Town time)" in times.text and "Europe/London" not in times.text
    # The site's Book link goes to the booking flow now.
    assert 'href="/book"' in client.get("/faq").text


def test_booking_creates_one_booking_two_emails_and_a_confirmation(
    app, make_tenant, make_service, next_free, book_via_http, client_for
):
    tenant = make_tenant()
    service = make_service(tenant)
    start = next_free(tenant, service)
    client = client_for(tenant)
    response = book_via_http(tenant, service, start, client=client, reason="sore knee")
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert (
        "Clinic A" in page.text and "1 High Street" in page.text and "+44 20 7946 0000" in page.text
    )
    assert "(Town time)" in page.text and "Europe/London" not in page.text
    with app.app_context():
        booking = db.session.scalars(select(Booking)).one()
        assert booking.starts_at == start and booking.client_phone == "+442079460018"
        assert booking.blocked_until == start + timedelta(minutes=20)
        assert booking.consent_at is not None and booking.reason == "sore knee"
        assert count(SlotClaim) == 4  # 20 minutes = four 5-minute granules
        messages = db.session.scalars(select(OutboxMessage)).all()
        assert sorted(m.recipient for m in messages) == ["ada@example.com", "hello@clinic-a.test"]
        for message in messages:
            assert "sore knee" not in message.body_text + (message.ics or "") + message.subject
    # Another browser cannot see the confirmation page.
    assert client_for(tenant).get(response.headers["Location"]).status_code == 404


def test_nz_and_uk_numbers_are_normalised_for_the_location_country(
    app, demo, book_via_http, client_for
):
    from meridian.booking.service import availability

    acute = demo["acute-acupuncture"]
    with app.app_context():
        service = db.session.scalars(
            select(Service).filter_by(tenant_id=acute.id, slug="follow-up-treatment")
        ).one()
        location = db.session.get(Location, acute.locations[0].id)
        slots = availability(location, service).slots
        start = slots[min(slots)][0]
    response = book_via_http(acute, service, start, phone="04 472 1630", email="Kiri@Example.NZ")
    assert response.status_code == 303
    with app.app_context():
        booking = db.session.scalars(select(Booking)).one()
        assert booking.client_phone == "+6444721630"
        assert booking.client_email == "kiri@example.nz"


BAD_INPUT = [
    ({"phone": "12345"}, "valid phone number", "phone"),
    ({"phone": "not a phone"}, "valid phone number", "phone"),
    ({"email": "ada@"}, "valid e-mail address", "email"),
    ({"email": ""}, "enter your e-mail", "email"),
    ({"consent": None}, "tick the box", "consent"),
    ({"name": ""}, "enter your name", "name"),
]


@pytest.mark.parametrize(("fields", "message", "field"), BAD_INPUT)
def test_bad_details_come_back_with_input_kept_and_nothing_created(
    app, make_tenant, make_service, next_free, book_via_http, fields, message, field
):
    tenant = make_tenant()
    service = make_service(tenant)
    start = next_free(tenant, service)
    response = book_via_http(
        tenant,
        service,
        start,
        name=fields.get("name", "Grace Hopper"),
        **{k: v for k, v in fields.items() if k != "name"},
    )
    assert response.status_code == 422
    assert message in response.text
    assert f'id="{field}-error"' in response.text
    assert 'aria-invalid="true"' in response.text and f'aria-describedby="{field}' in response.text
    if field != "name":
        assert 'value="Grace Hopper"' in response.text  # input kept
    assert f'<label for="{field}">' in response.text
    with app.app_context():
        assert count(Booking) == 0 and count(OutboxMessage) == 0


def _bad_start(kind: str, service_start: datetime) -> datetime:
    now = datetime.now(UTC)
    if kind == "past":
        return (now - timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    if kind == "too-soon":
        return (now + timedelta(minutes=30)).replace(second=0, microsecond=0)
    if kind == "beyond-horizon":
        return service_start + timedelta(days=70)
    # outside hours: 03:00 (UTC = London in winter, BST 04:00) a day later
    return (service_start + timedelta(days=1)).replace(hour=3, minute=0)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("past", "already passed"),
        ("too-soon", "too soon"),
        ("beyond-horizon", "too far ahead"),
        ("outside-hours", "not open"),
    ],
)
def test_bad_times_are_refused_and_nothing_created(
    app, make_tenant, make_service, next_free, book_via_http, kind, message
):
    tenant = make_tenant()
    service = make_service(tenant)
    start = _bad_start(kind, next_free(tenant, service))
    response = book_via_http(tenant, service, start, name="Grace Hopper")
    assert response.status_code in (409, 422)
    assert message in response.text
    assert 'value="Grace Hopper"' in response.text
    with app.app_context():
        assert count(Booking) == 0 and count(OutboxMessage) == 0


def test_step_one_refuses_past_and_far_days(make_tenant, make_service, client_for):
    tenant = make_tenant()
    service = make_service(tenant, horizon_days=10)
    client = client_for(tenant)
    past = client.get("/book", query_string={"service": service.id, "day": "2020-01-01"})
    assert "already passed" in past.text
    far = (date.today() + timedelta(days=30)).isoformat()
    assert (
        "too far ahead"
        in client.get("/book", query_string={"service": service.id, "day": far}).text
    )


def test_unknown_and_other_clinics_ids_are_404_and_create_nothing(
    app, make_tenant, make_service, next_free, client_for
):
    a, b = make_tenant("clinic-a"), make_tenant("clinic-b")
    service_a, service_b = make_service(a), make_service(b)
    start = next_free(a, service_a)
    client = client_for(a)
    page = client.get(
        "/book/details",
        query_string={
            "location": a.locations[0].id,
            "service": service_a.id,
            "start": start.isoformat(),
        },
    )
    token = csrf_token(page.text)
    base = {
        "csrf_token": token,
        "start": start.isoformat(),
        "name": "Ada",
        "email": "ada@example.com",
        "phone": "020 7946 0018",
        "consent": "y",
    }
    cases = [
        {"location": a.locations[0].id, "service": service_b.id},  # other clinic's service
        {"location": b.locations[0].id, "service": service_a.id},  # other clinic's location
        {"location": a.locations[0].id, "service": 999_999},  # unknown service
        {"location": a.locations[0].id, "service": "abc"},
    ]
    for ids in cases:
        assert client.post("/book/details", data=base | ids).status_code == 404
        assert client.get("/book", query_string=ids).status_code == 404
    with app.app_context():
        assert count(Booking) == 0 and count(OutboxMessage) == 0


def test_loser_of_a_race_is_told_and_shown_nearest_times(
    app, make_tenant, make_service, next_free, book_via_http
):
    tenant = make_tenant()
    service = make_service(tenant)
    start = next_free(tenant, service, index=4)
    assert book_via_http(tenant, service, start).status_code == 303
    second = book_via_http(tenant, service, start, name="Grace Hopper", email="grace@example.com")
    assert second.status_code == 409
    assert "just taken" in second.text
    assert 'name="start" value="' in second.text  # alternatives offered as radios
    assert 'value="Grace Hopper"' in second.text
    with app.app_context():
        assert count(Booking) == 1


def test_overlapping_services_of_different_lengths_cannot_both_book(
    app, make_tenant, make_service, next_free, book_via_http
):
    tenant = make_tenant()
    long = make_service(tenant, "long", duration_minutes=60, buffer_minutes=15)
    short = make_service(tenant, "short", duration_minutes=15, buffer_minutes=0)
    start = next_free(tenant, long, index=8)
    assert book_via_http(tenant, long, start).status_code == 303
    inside = start + timedelta(minutes=60)  # in the long one's buffer
    assert book_via_http(tenant, short, inside, email="b@example.com").status_code == 409
    after = start + timedelta(minutes=75)
    assert book_via_http(tenant, short, after, email="c@example.com").status_code == 303


def test_database_refuses_overlapping_claims_even_without_the_python_check(
    app, make_tenant, make_service, next_free
):
    """The guard is the UNIQUE claim, not the availability read."""
    from meridian.booking import service as booking_service
    from meridian.booking.service import SlotTaken

    tenant = make_tenant()
    svc = make_service(tenant)
    start = next_free(tenant, svc)
    with app.app_context():
        location = db.session.get(Location, tenant.locations[0].id)
        svc = db.session.get(Service, svc.id)
        booking_service.place_booking(
            tenant, location, svc, start, name="A", email="a@x.io", phone="+442079460018"
        )
        original = booking_service._check_bookable
        booking_service._check_bookable = lambda *a, **k: None  # simulate a stale read
        try:
            with pytest.raises(SlotTaken):
                booking_service.place_booking(
                    tenant,
                    location,
                    svc,
                    start + timedelta(minutes=5),
                    name="B",
                    email="b@x.io",
                    phone="+442079460019",
                )
        finally:
            booking_service._check_bookable = original
        assert count(Booking) == 1


def test_new_clients_only_one_per_email_and_phone(
    app, make_tenant, make_service, next_free, book_via_http
):
    tenant = make_tenant()
    free = make_service(tenant, "free-consultation", new_clients_only=True)
    first, second = next_free(tenant, free, 0), next_free(tenant, free, 8)
    assert book_via_http(tenant, free, first).status_code == 303
    same_email = book_via_http(tenant, free, second, phone="020 7946 0999")
    assert same_email.status_code == 422 and "for new clients" in same_email.text
    same_phone = book_via_http(tenant, free, second, email="other@example.com")
    assert same_phone.status_code == 422 and "for new clients" in same_phone.text
    with app.app_context():
        assert count(Booking) == 1
    # A different clinic is a different client relationship.
    other = make_tenant("clinic-b")
    free_b = make_service(other, "free-consultation", new_clients_only=True)
    assert book_via_http(other, free_b, next_free(other, free_b)).status_code == 303


def test_location_holiday_region_reaches_the_rules(app, demo):
    acute = demo["acute-acupuncture"]
    with app.app_context():
        location = db.session.get(Location, acute.locations[0].id)
        service = db.session.scalars(select(Service).filter_by(tenant_id=acute.id)).first()
        assert location.holiday_subdivision == "WGN"
        assert service.min_notice_minutes == 120 and service.horizon_days == 60
        rules = rules_for(location, service, date(2027, 1, 1), date(2027, 12, 31))
        assert rules.holiday_days == holidays_between(
            "NZ", "WGN", date(2027, 1, 1), date(2027, 12, 31)
        )


def test_booking_posts_are_rate_limited(app, make_tenant, make_service, client_for, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMITS_ENABLED", True)
    monkeypatch.setitem(app.config, "BOOKING_RATE_LIMIT", "2 per minute")
    tenant = make_tenant()
    service = make_service(tenant)
    client = client_for(tenant)
    ids = {"location": tenant.locations[0].id, "service": service.id}
    page = client.get("/book/details", query_string=ids | {"start": "2030-01-01T09:00:00+00:00"})
    data = ids | {"csrf_token": csrf_token(page.text)}
    codes = [client.post("/book/details", data=data).status_code for _ in range(4)]
    assert codes[-1] == 429 and 429 not in codes[:2], codes
    # Reading the booking pages is not limited.
    assert client.get("/book").status_code == 200
