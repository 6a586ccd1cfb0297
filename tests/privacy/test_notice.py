"""The public privacy notice: generated from the clinic, its country and its settings."""

from __future__ import annotations

import re

import pytest

from meridian.extensions import db
from meridian.models import Location, PrivacySettings

ZAK = "zak-clinic.localhost"
ACUTE = "acute-acupuncture.localhost"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("host", "regulator", "law", "deadline", "absent"),
    [
        (
            ZAK,
            "Information Commissioner’s Office",
            "UK GDPR",
            "within one month",
            "Privacy Commissioner",
        ),
        (
            ACUTE,
            "Office of the Privacy Commissioner",
            "Health Information Privacy Code 2020",
            "within 20 working days",
            "Information Commissioner",
        ),
    ],
)
def test_each_demo_clinic_names_its_own_law_and_regulator(
    demo, client_for, host, regulator, law, deadline, absent
):
    response = client_for(host).get("/privacy")
    assert response.status_code == 200
    page = text_of(response.text)
    assert regulator in page and law in page and deadline in page
    assert absent not in page


def test_the_notice_names_the_clinic_every_form_and_the_retention(demo, client_for):
    page = text_of(client_for(ZAK).get("/privacy").text)
    assert "Zak Clinic is responsible for your information" in page
    assert "34-36 Warwick Way" in page
    for heading in (
        "Booking an appointment",
        "Comments",
        "New articles by e-mail",
        "Contact form",
        "Likes",
    ):
        assert heading in page
    assert "special category" in page  # health data under UK GDPR
    # The defaults: 30 days, 2 years, 1 year.
    assert "erased 30 days after the appointment" in page
    assert "2 years after the appointment" in page
    assert "Contact-form messages: 1 year after they arrive" in page
    # The one cookie of the booking and sign-in pages, and the like cookie.
    assert "session" in page and "liker" in page
    assert "Reading this site sets no cookie" in page


def test_a_clinic_abroad_from_the_servers_says_so(demo, client_for):
    """The platform's servers are in the UK by default: the NZ clinic's data goes abroad."""
    acute = text_of(client_for(ACUTE).get("/privacy").text)
    zak = text_of(client_for(ZAK).get("/privacy").text)
    assert "stored outside New Zealand" in acute
    assert "stored outside the UK" not in zak


def test_the_notice_is_a_cookie_free_cached_reading_page(demo, client_for, count_queries):
    client = client_for(ZAK)
    first = client.get("/privacy")
    assert "Set-Cookie" not in first.headers
    assert first.headers["Cache-Control"].startswith("public")
    again = client.get("/privacy", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    with count_queries() as queries:
        assert client.get("/privacy").status_code == 200
    assert len(queries) <= 2  # the tenant by host; the cached page needs nothing else


def test_saving_retention_changes_the_notice_at_the_next_request(
    demo, client_for, signed_in_client
):
    reader = client_for(ZAK)
    before = reader.get("/privacy")
    owner = signed_in_client(demo["zak-clinic"], "owner")
    response = owner.post(
        "/studio/privacy",
        data={
            "csrf_token": owner.csrf,
            "reason_days": "7",
            "booking_months": "18",
            "contact_months": "6",
        },
    )
    assert response.status_code == 302
    after = reader.get("/privacy")
    assert after.headers["ETag"] != before.headers["ETag"]
    page = text_of(after.text)
    assert "erased 7 days after the appointment" in page
    assert "18 months after the appointment" in page
    assert "Contact-form messages: 6 months after they arrive" in page
    # The other clinic's notice is untouched.
    assert "erased 30 days" in text_of(client_for(ACUTE).get("/privacy").text)


def test_the_contact_email_is_the_clinics_first_location_address(app, demo, client_for):
    with app.app_context():
        location = db.session.scalars(
            db.select(Location).filter_by(tenant_id=demo["zak-clinic"].id)
        ).first()
        email = location.email
    assert email and f"mailto:{email}" in client_for(ZAK).get("/privacy").text


@pytest.mark.parametrize(
    ("path", "anchor"),
    [
        ("/", "/privacy"),  # the footer, on every page
        ("/contact", "/privacy#form-contact"),
        ("/blog/can-acupuncture-help-with-dry-eye", "/privacy#form-comment"),
        ("/blog/can-acupuncture-help-with-dry-eye", "/privacy#form-subscribe"),
        ("/subscribe", "/privacy#form-subscribe"),
    ],
)
def test_every_form_links_to_the_notice(demo, client_for, path, anchor):
    assert f'href="{anchor}"' in client_for(ZAK).get(path).text


def test_the_booking_consent_box_points_at_the_notice(
    make_tenant, make_service, next_free, client_for
):
    clinic = make_tenant("clinic-a")
    service = make_service(clinic)
    start = next_free(clinic, service)
    page = client_for(clinic).get(
        "/book/details",
        query_string={
            "location": clinic.locations[0].id,
            "service": service.id,
            "start": start.isoformat(),
        },
    )
    assert page.status_code == 200
    assert 'aria-describedby="consent-hint"' in page.text
    assert 'href="/privacy#form-booking"' in page.text


def test_a_settings_row_is_unique_per_clinic(app, make_tenant):
    from sqlalchemy.exc import IntegrityError

    clinic = make_tenant("clinic-a")
    with app.app_context():
        db.session.add(PrivacySettings(tenant_id=clinic.id))
        db.session.add(PrivacySettings(tenant_id=clinic.id))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
