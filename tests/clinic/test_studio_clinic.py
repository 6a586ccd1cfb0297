"""Studio pages for the clinic itself: settings, locations (hours, closures), services.

Each save is a POST with CSRF through the write path; a refused save shows the message
next to its field with the input kept and changes nothing; the public site and the
booking page follow at the next request; another clinic's ids are refused.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from meridian.extensions import db
from meridian.models import AuditEvent, Closure, Location, Service, Tenant

from ..factories import row_counts

WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@pytest.fixture
def clinic(make_tenant, signed_in_client, make_service):
    tenant = make_tenant("clinic-a", name="Clinic A")
    client = signed_in_client(tenant, "owner")
    client.tenant = tenant
    client.service = make_service(tenant, "consult", min_notice_minutes=0)
    return client


def settings_data(client, **changes):
    data = {
        "csrf_token": client.csrf,
        "name": "Clinic A",
        "tagline": "Acupuncture in town",
        "about_md": "We *care*.",
        "disclaimer": "Not medical advice.",
        "logo": "",
        "brand_primary": "#1f4e5f",
        "brand_accent": "#9c3d1f",
        "theme": "calm",
        "hero": "",
        "trust_line": "",
        "first_visit": "",
    }
    return data | changes


def tenant_row(app, tenant_id):
    with app.app_context():
        row = db.session.get(Tenant, tenant_id)
        db.session.expunge(row)
        return row


def test_settings_save_shows_on_the_site_at_once_and_is_audited(clinic, app, client_for):
    public = client_for(clinic.tenant)
    assert "Acupuncture in town" not in public.get("/").text
    response = clinic.post(
        "/studio/settings",
        data=settings_data(clinic, social_instagram="@clinica", social_twitter="x.com/clinica"),
    )
    assert response.status_code == 303, response.text
    assert "Acupuncture in town" in public.get("/").text
    row = tenant_row(app, clinic.tenant.id)
    assert row.about_html.strip() == "<p>We <em>care</em>.</p>"
    assert row.social == {
        "instagram": "https://www.instagram.com/clinica/",
        "twitter": "https://x.com/clinica",
    }
    with app.app_context():
        event = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "settings.update")
        ).one()
        assert event.actor_email == clinic.user.email
        assert event.details["changes"]["tagline"] == ["", "Acupuncture in town"]


def test_a_colour_that_fails_contrast_is_refused_with_a_suggestion(clinic, app):
    before = row_counts(app)
    response = clinic.post(
        "/studio/settings",
        data=settings_data(clinic, brand_accent="#5fa8d3", tagline="Kept words"),
    )
    assert response.status_code == 400
    assert 'id="brand_accent-error"' in response.text
    assert "Try #2f7dac" in response.text and "4.5:1" in response.text
    assert 'value="Kept words"' in response.text and 'value="#5fa8d3"' in response.text
    assert row_counts(app) == before
    assert tenant_row(app, clinic.tenant.id).brand_accent != "#5fa8d3"


def test_bad_social_links_and_an_empty_name_are_named(clinic, app):
    response = clinic.post(
        "/studio/settings",
        data=settings_data(clinic, name="", social_facebook="https://facebok.com/x"),
    )
    assert response.status_code == 400
    assert 'id="name-error"' in response.text
    assert 'id="social_facebook-error"' in response.text and "not on Facebook" in response.text
    assert 'value="https://facebok.com/x"' in response.text
    assert tenant_row(app, clinic.tenant.id).name == "Clinic A"


def test_a_logo_from_the_media_library(clinic, app, make_app, tmp_path):
    import io

    from meridian.media import service as media_service

    from ..media.samples import photo

    with app.app_context():
        item = media_service.save_upload(clinic.tenant.id, io.BytesIO(photo(600, 200, "PNG")))
        logo = f"media/{item.names[0]}"
    page = clinic.get("/studio/settings")
    assert f'value="{logo}"' in page.text
    assert clinic.post("/studio/settings", data=settings_data(clinic, logo=logo)).status_code == 303
    assert tenant_row(app, clinic.tenant.id).logo == logo
    served = clinic.get(f"/brand/{logo}")
    assert served.status_code == 200 and served.mimetype == "image/webp"
    refused = clinic.post("/studio/settings", data=settings_data(clinic, logo="../secret"))
    assert refused.status_code == 400


def test_the_look_of_the_site_design_home_photo_trust_line_and_first_visit(
    clinic, app, client_for, make_tenant
):
    import io

    from meridian.media import service as media_service

    from ..media.samples import photo

    other = make_tenant("clinic-b")
    with app.app_context():
        ours = media_service.save_upload(
            clinic.tenant.id, io.BytesIO(photo(900, 600, "PNG")), alt="Our treatment room"
        ).id
        theirs = media_service.save_upload(other.id, io.BytesIO(photo(900, 600, "PNG"))).id
    page = clinic.get("/studio/settings").text
    assert 'type="radio"' in page and 'value="classic"' in page
    assert f'value="{ours}"' in page and f'value="{theirs}"' not in page
    public = client_for(clinic.tenant)
    assert "theme-calm" in public.get("/").text
    saved = clinic.post(
        "/studio/settings",
        data=settings_data(
            clinic,
            theme="classic",
            hero=str(ours),
            trust_line="In  town since 2012",
            first_visit="Call us.\n\n  Come in.  \n",
        ),
    )
    assert saved.status_code == 303, saved.text
    home = public.get("/").text
    assert "theme-classic" in home and 'alt="Our treatment room"' in home
    assert "In town since 2012" in home and "Come in." in home
    row = tenant_row(app, clinic.tenant.id)
    assert (row.theme, row.hero_media_id) == ("classic", ours)
    assert row.first_visit == ["Call us.", "Come in."]
    with app.app_context():
        event = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "settings.update")
        ).one()
        assert event.details["changes"]["theme"] == ["calm", "classic"]
    # Another clinic's photo, an unknown design, seven steps: refused, each named.
    before = row_counts(app)
    refused = clinic.post(
        "/studio/settings",
        data=settings_data(
            clinic,
            theme="neon",
            hero=str(theirs),
            first_visit="\n".join(f"Step {n}" for n in range(7)),
            tagline="Kept",
        ),
    )
    assert refused.status_code == 400
    for name in ("theme", "hero", "first_visit"):
        assert f'id="{name}-error"' in refused.text, name
    assert 'value="Kept"' in refused.text and "Step 6" in refused.text
    assert row_counts(app) == before
    assert tenant_row(app, clinic.tenant.id).theme == "classic"


def location_data(client, location, **changes):
    data = {
        "csrf_token": client.csrf,
        "name": location.name,
        "slug": location.slug,
        "street": "1 High Street",
        "city": "Town",
        "postcode": "AB1 2CD",
        "country": "GB",
        "phone": "020 7946 0000",
        "email": "hello@clinic-a.example.com",
        "timezone": "Europe/London",
        "holiday_subdivision": "ENG",
    }
    data |= {f"hours_{d}": "09:00-17:00" for d in WEEK[:5]}
    return data | changes


def free_times(client, tenant, service, day=None):
    query = {"location": tenant.locations[0].id, "service": service.id}
    if day:
        query["day"] = day
    page = client.get("/book", query_string=query)
    assert page.status_code == 200
    return page.text, [
        datetime.fromisoformat(v) for v in re.findall(r'name="start" value="([^"]+)"', page.text)
    ]


def test_hours_and_closures_change_the_free_times_at_once(clinic, app, client_for):
    visitor = client_for(clinic.tenant)
    location = clinic.tenant.locations[0]
    _, times = free_times(visitor, clinic.tenant, clinic.service)
    day = times[0].astimezone(ZoneInfo("Europe/London")).date()
    weekday = WEEK[day.weekday()]
    changed = location_data(clinic, location, **{f"hours_{weekday}": "14:00-15:00, 16:00-16:30"})
    saved = clinic.post(f"/studio/locations/{location.id}", data=changed)
    assert saved.status_code == 303, re.findall(r'class="error"[^>]*>([^<]+)<', saved.text)
    _, after = free_times(visitor, clinic.tenant, clinic.service, day.isoformat())
    local = [t.astimezone(ZoneInfo("Europe/London")).time() for t in after]
    assert local and all(
        "14:00" <= f"{t:%H:%M}" < "15:00" or "16:00" <= f"{t:%H:%M}" < "16:30" for t in local
    )
    closed = clinic.post(
        f"/studio/locations/{location.id}/closures",
        data={
            "csrf_token": clinic.csrf,
            "first": day.isoformat(),
            "last": "",
            "reason": "Training",
        },
    )
    assert closed.status_code == 303
    text, none = free_times(visitor, clinic.tenant, clinic.service, day.isoformat())
    assert none == [] or none[0].astimezone(ZoneInfo("Europe/London")).date() != day
    assert "no free times on that day" in text
    # Removing the closure brings the times back.
    removed = clinic.post(
        f"/studio/locations/{location.id}/closures/remove",
        data={"csrf_token": clinic.csrf, "first": day.isoformat(), "last": day.isoformat()},
    )
    assert removed.status_code == 303
    _, back = free_times(visitor, clinic.tenant, clinic.service, day.isoformat())
    assert [t.astimezone(ZoneInfo("Europe/London")).time() for t in back] == local


def test_a_closure_range_is_stored_per_day_and_shown_as_one_run(clinic, app):
    location = clinic.tenant.locations[0]
    response = clinic.post(
        f"/studio/locations/{location.id}/closures",
        data={
            "csrf_token": clinic.csrf,
            "first": "2030-12-24",
            "last": "2031-01-02",
            "reason": "Holiday",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        assert len(db.session.scalars(db.select(Closure)).all()) == 10
    page = clinic.get(f"/studio/locations/{location.id}")
    assert "Tue 24 Dec 2030 – Thu 2 Jan 2031" in page.text
    backwards = clinic.post(
        f"/studio/locations/{location.id}/closures",
        data={"csrf_token": clinic.csrf, "first": "2030-05-02", "last": "2030-05-01"},
    )
    assert backwards.status_code == 400 and "before the first" in backwards.text
    with app.app_context():
        assert len(db.session.scalars(db.select(Closure)).all()) == 10


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "12345", "not a valid phone number in United Kingdom"),
        ("email", "nobody", "not an e-mail address"),
        ("timezone", "Pacific/Auckland", "time zone of United Kingdom"),
        ("holiday_subdivision", "WGN", "public-holiday region"),
        ("hours_tue", "09:00-12:00, 11:00-13:00", "overlap at 11:00"),
        ("hours_wed", "17:00-09:00", "closes before it opens"),
        ("name", "", "Give the location a name"),
    ],
)
def test_bad_location_input_is_named_kept_and_nothing_changes(clinic, app, field, value, message):
    location = clinic.tenant.locations[0]
    before = row_counts(app)
    data = location_data(clinic, location, street="9 New Road", **{field: value})
    response = clinic.post(f"/studio/locations/{location.id}", data=data)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.text and message in response.text
    assert 'value="9 New Road"' in response.text
    assert row_counts(app) == before
    with app.app_context():
        assert db.session.get(Location, location.id).street == "1 High Street"


def test_a_new_location_with_phone_normalised(clinic, app):
    data = location_data(clinic, clinic.tenant.locations[0], name="Second site", slug="")
    response = clinic.post("/studio/locations/new", data=data)
    assert response.status_code == 303
    with app.app_context():
        row = db.session.scalars(db.select(Location).where(Location.slug == "second-site")).one()
        assert row.phone == "+44 20 7946 0000" and len(row.hours) == 5


def service_data(client, **changes):
    return {
        "csrf_token": client.csrf,
        "name": "Initial treatment",
        "slug": "",
        "description": "",
        "duration_minutes": "60",
        "price": "65.50",
        "buffer_minutes": "15",
        "min_notice_minutes": "0",
        "horizon_days": "30",
        "online_bookable": "y",
    } | changes


def test_services_create_edit_and_the_booking_page_follows(clinic, app, client_for):
    response = clinic.post("/studio/services/new", data=service_data(clinic))
    assert response.status_code == 303
    with app.app_context():
        svc = db.session.scalars(
            db.select(Service).where(Service.slug == "initial-treatment")
        ).one()
        assert (svc.price_minor, svc.duration_minutes, svc.buffer_minutes) == (6550, 60, 15)
    visitor = client_for(clinic.tenant)
    assert "Initial treatment" in visitor.get("/book").text
    hidden = service_data(clinic, slug="initial-treatment")
    del hidden["online_bookable"]
    assert clinic.post(f"/studio/services/{svc.id}", data=hidden).status_code == 303
    assert "Initial treatment" not in visitor.get("/book").text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "sixty", "Write the price as a number"),
        ("price", "10.555", "at most 2 decimal places"),
        ("duration_minutes", "0", "Between 5 and 480"),
        ("horizon_days", "", "how far ahead"),
        ("slug", "consult", "already uses"),
    ],
)
def test_bad_service_input_is_named_and_nothing_is_stored(clinic, app, field, value, message):
    before = row_counts(app)
    response = clinic.post("/studio/services/new", data=service_data(clinic, **{field: value}))
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.text and message in response.text
    assert 'value="Initial treatment"' in response.text
    assert row_counts(app) == before


def test_another_clinics_locations_and_services_are_refused(clinic, app, make_tenant, make_service):
    other = make_tenant("clinic-b")
    theirs = make_service(other, "theirs")
    location = other.locations[0]
    before = row_counts(app)
    attempts = [
        ("GET", f"/studio/locations/{location.id}", None),
        (
            "POST",
            f"/studio/locations/{location.id}",
            location_data(clinic, location, name="Hijack"),
        ),
        (
            "POST",
            f"/studio/locations/{location.id}/closures",
            {"csrf_token": clinic.csrf, "first": "2030-01-01"},
        ),
        (
            "POST",
            f"/studio/locations/{location.id}/closures/remove",
            {"csrf_token": clinic.csrf, "first": "2030-01-01"},
        ),
        ("GET", f"/studio/services/{theirs.id}", None),
        ("POST", f"/studio/services/{theirs.id}", service_data(clinic, name="Hijack")),
    ]
    for method, url, data in attempts:
        assert clinic.open(url, method=method, data=data).status_code == 404, url
    assert row_counts(app) == before
    with app.app_context():
        assert db.session.get(Location, location.id).name == location.name
        assert db.session.get(Service, theirs.id).name == theirs.name


@pytest.mark.parametrize("role", ["editor", "front_desk"])
def test_only_owners_edit_the_clinic(role, make_tenant, signed_in_client, app):
    tenant = make_tenant("clinic-a")
    client = signed_in_client(tenant, role)
    before = row_counts(app)
    for url in ("/studio/settings", "/studio/locations", "/studio/services"):
        assert client.get(url).status_code == 403
    data = {
        "csrf_token": client.csrf,
        "name": "Taken over",
        "brand_primary": "#000000",
        "brand_accent": "#000000",
    }
    assert client.post("/studio/settings", data=data).status_code == 403
    assert row_counts(app) == before


def test_every_clinic_page_answers(clinic):
    location = clinic.tenant.locations[0]
    for url in (
        "/studio/settings",
        "/studio/locations",
        f"/studio/locations/{location.id}",
        "/studio/locations/new",
        "/studio/services",
        f"/studio/services/{clinic.service.id}",
        "/studio/services/new",
    ):
        page = clinic.get(url)
        assert page.status_code == 200, url
        assert "no-store" in page.headers["Cache-Control"]
    assert date.today()  # pages render on any day
