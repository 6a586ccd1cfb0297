"""Studio pages for the team: add, edit and retire practitioners, their services, weekly
hours per location and time off. Each save goes through `content.team`; the free times
follow at once; a refused save keeps what was typed and changes nothing; another
clinic's practitioners are out of reach.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from meridian.booking.availability import availability
from meridian.extensions import db
from meridian.models import AuditEvent, Location, MediaItem, Practitioner, Service, TimeOff

from ..factories import row_counts

WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@pytest.fixture
def clinic(make_tenant, signed_in_client, make_service):
    tenant = make_tenant("clinic-a", name="Clinic A")
    client = signed_in_client(tenant, "owner")
    client.tenant = tenant
    client.service = make_service(tenant, "consult", min_notice_minutes=0)
    client.location_id = tenant.locations[0].id
    return client


def form_data(client, **changes):
    data = {
        "csrf_token": client.csrf,
        "name": "Robin Lee",
        "title": "Acupuncturist, MBAcC",
        "bio": "Robin treats back pain.",
        "photo": "",
        "languages": "English, Cantonese",
        "slug": "",
        "services": [str(client.service.id)],
        "active": "y",
    }
    for day in WEEK[:5]:
        data[f"hours_{client.location_id}_{day}"] = "09:00-12:00, 13:00-17:00"
    return data | changes


def person(app, slug):
    with app.app_context():
        row = db.session.scalars(db.select(Practitioner).filter_by(slug=slug)).one_or_none()
        if row is not None:
            _ = row.hours, row.services
            db.session.expunge_all()
        return row


def free_times(app, client, slug=None, days=14):
    """Free starts at the main location in the next `days` (with `slug`, or anyone)."""
    with app.app_context():
        location = db.session.get(Location, client.location_id)
        service = db.session.get(Service, client.service.id)
        who = (
            db.session.scalars(db.select(Practitioner).filter_by(slug=slug)).one() if slug else None
        )
        today = datetime.now(UTC).date()
        found = availability(
            location, service, last_day=today + timedelta(days=days), practitioner=who
        )
        return [s for day in found.slots.values() for s in day]


def actions(app):
    with app.app_context():
        return [e.action for e in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))]


def test_add_a_practitioner_who_is_bookable_and_on_the_site_at_once(clinic, app, client_for):
    assert (
        free_times(app, clinic, days=7)
        and "Robin Lee" not in client_for(clinic.tenant).get("/team").text
    )
    response = clinic.post("/studio/practitioners/new", data=form_data(clinic))
    assert response.status_code == 303, response.text
    robin = person(app, "robin-lee")
    assert robin.title == "Acupuncturist, MBAcC" and robin.languages == ["English", "Cantonese"]
    assert robin.service_ids == {clinic.service.id} and robin.location_ids == {clinic.location_id}
    assert len(robin.hours) == 10  # two ranges on each of five days
    times = free_times(app, clinic, "robin-lee")
    assert times, "Robin has no free times"
    lunch = [t for t in times if t.astimezone(ZoneInfo("Europe/London")).hour == 12]
    assert lunch == []  # the 12:00-13:00 gap between their two ranges is not offered
    assert "Robin Lee" in client_for(clinic.tenant).get("/team").text
    assert actions(app)[-3:] == [
        "practitioner.create", "practitioner.services", "practitioner.hours"
    ]  # fmt: skip


def test_changed_hours_change_the_free_times_at_once(clinic, app):
    clinic.post("/studio/practitioners/new", data=form_data(clinic))
    robin = person(app, "robin-lee")

    def mondays():
        return [t for t in free_times(app, clinic, "robin-lee") if t.weekday() == 0]

    assert mondays()
    changed = form_data(clinic, **{f"hours_{clinic.location_id}_mon": ""})
    assert clinic.post(f"/studio/practitioners/{robin.id}", data=changed).status_code == 303
    assert mondays() == []
    page = clinic.get(f"/studio/practitioners/{robin.id}")
    assert (
        f'name="hours_{clinic.location_id}_tue" type="text" value="09:00-12:00, 13:00-17:00"'
        in page.text
    )


def test_every_mistake_is_named_beside_its_field_at_once_and_nothing_is_saved(clinic, app):
    before = row_counts(app)
    loc = clinic.location_id
    bad = form_data(
        clinic,
        name="",
        title="Two\nlines",
        **{f"hours_{loc}_wed": "9 till late", f"hours_{loc}_thu": "10:00-12:00, 11:00-13:00"},
    )
    response = clinic.post("/studio/practitioners/new", data=bad)
    assert response.status_code == 400
    for field in ("name", "title", f"hours_{loc}_wed", f"hours_{loc}_thu"):
        assert f'id="{field}-error"' in response.text, field
    assert "single line" in response.text and "overlap" in response.text
    assert 'value="9 till late"' in response.text and "Robin treats back pain." in response.text
    assert "Nothing was saved" in response.text
    assert row_counts(app) == before


def test_a_slug_in_use_gets_a_friendly_message(clinic, app):
    before = row_counts(app)
    response = clinic.post("/studio/practitioners/new", data=form_data(clinic, slug="pat"))
    assert response.status_code == 400
    assert 'id="slug-error"' in response.text and "already uses" in response.text
    assert row_counts(app) == before


def test_retiring_keeps_bookings_and_stops_new_ones(
    clinic, app, client_for, book_via_http, next_free
):
    pat = person(app, "pat")
    start = next_free(clinic.tenant, clinic.service)
    assert book_via_http(clinic.tenant, clinic.service, start).status_code in (302, 303)
    data = form_data(clinic, name="Pat Example", slug="pat", services=[str(clinic.service.id)])
    data.pop("active")
    response = clinic.post(f"/studio/practitioners/{pat.id}", data=data, follow_redirects=True)
    assert "Pat Example is retired" in response.text and "1 upcoming booking stays" in response.text
    assert person(app, "pat").active is False
    assert free_times(app, clinic) == []  # nobody else works here
    assert "Pat Example" not in client_for(clinic.tenant).get("/team").text
    assert "practitioner.retire" in actions(app)


def test_time_off_removes_free_times_and_can_be_taken_back(clinic, app):
    pat = person(app, "pat")
    zone = ZoneInfo("Europe/London")
    day = next(
        t for t in free_times(app, clinic, "pat") if t > datetime.now(UTC) + timedelta(days=1)
    )
    local_day = day.astimezone(zone).date()

    def on_that_day():
        return [t for t in free_times(app, clinic, "pat") if t.astimezone(zone).date() == local_day]

    assert on_that_day()
    response = clinic.post(
        f"/studio/practitioners/{pat.id}/time-off",
        data={"csrf_token": clinic.csrf, "first": local_day.isoformat(), "note": "Course"},
    )
    assert response.status_code == 303
    assert on_that_day() == []
    with app.app_context():
        row = db.session.scalars(db.select(TimeOff)).one()
        assert row.starts_at == datetime.combine(local_day, datetime.min.time(), zone)
        assert row.ends_at == datetime.combine(
            local_day + timedelta(days=1), datetime.min.time(), zone
        )
        row_id = row.id
    page = clinic.get(f"/studio/practitioners/{pat.id}")
    assert "Course" in page.text
    removed = clinic.post(
        f"/studio/practitioners/{pat.id}/time-off/{row_id}/remove", data={"csrf_token": clinic.csrf}
    )
    assert removed.status_code == 303 and on_that_day()
    assert actions(app)[-2:] == ["practitioner.time_off.add", "practitioner.time_off.remove"]


def test_time_off_that_ends_before_it_starts_is_refused(clinic, app):
    pat = person(app, "pat")
    before = row_counts(app)
    response = clinic.post(
        f"/studio/practitioners/{pat.id}/time-off",
        data={
            "csrf_token": clinic.csrf,
            "first": "2030-05-02",
            "last": "2030-05-01",
            "note": "Kept",
        },
    )
    assert response.status_code == 400 and 'id="last-error"' in response.text
    assert 'value="Kept"' in response.text
    response = clinic.post(
        f"/studio/practitioners/{pat.id}/time-off",
        data={"csrf_token": clinic.csrf, "first": "2030-05-02", "starts": "15:00", "ends": "10:00"},
    )
    assert response.status_code == 400 and "end after it starts" in response.text
    assert row_counts(app) == before


def test_a_photo_from_the_media_library_and_nothing_else(clinic, app):
    from meridian.media import service as media_service

    from ..media.samples import photo

    with app.app_context():
        item = media_service.save_upload(clinic.tenant.id, io.BytesIO(photo(600, 600, "PNG")))
        choice, item_id = f"media:{item.id}", item.id
    assert f'value="{choice}"' in clinic.get("/studio/practitioners/new").text
    ok = clinic.post("/studio/practitioners/new", data=form_data(clinic, photo=choice))
    assert ok.status_code == 303 and person(app, "robin-lee").photo_media_id == item_id
    assert "srcset" in clinic.get("/team").text  # the public page shows the library's copies
    before = row_counts(app)
    refused = clinic.post(
        "/studio/practitioners/new", data=form_data(clinic, name="Sam", photo="../../etc/passwd")
    )
    assert refused.status_code == 400 and row_counts(app) == before
    for bogus in ("media:abc", "media:²", f"media:{item_id + 1000}", "file:../../x"):
        refused = clinic.post(
            "/studio/practitioners/new", data=form_data(clinic, name="Sam", photo=bogus)
        )
        assert refused.status_code == 400 and row_counts(app) == before, bogus


def test_another_clinics_practitioners_and_services_are_out_of_reach(clinic, app, make_tenant):
    other = make_tenant("clinic-b")
    with app.app_context():
        their_id = db.session.scalars(
            db.select(Practitioner.id).filter_by(tenant_id=other.id)
        ).one()
        my_id = db.session.scalars(
            db.select(Practitioner.id).filter_by(tenant_id=clinic.tenant.id)
        ).one()
        away = TimeOff(
            tenant_id=other.id,
            practitioner_id=their_id,
            starts_at=datetime(2030, 1, 1, tzinfo=UTC),
            ends_at=datetime(2030, 1, 2, tzinfo=UTC),
        )
        their_service = Service(
            tenant_id=other.id, slug="theirs", name="Theirs", duration_minutes=30
        )
        db.session.add_all([away, their_service])
        db.session.commit()
        off_id, their_service_id = away.id, their_service.id
    before = row_counts(app)
    assert clinic.get(f"/studio/practitioners/{their_id}").status_code == 404
    assert (
        clinic.post(f"/studio/practitioners/{their_id}", data=form_data(clinic)).status_code == 404
    )
    add = {"csrf_token": clinic.csrf, "first": "2030-05-02"}
    assert clinic.post(f"/studio/practitioners/{their_id}/time-off", data=add).status_code == 404
    # Their time off, named under our practitioner's address.
    remove = f"/studio/practitioners/{my_id}/time-off/{off_id}/remove"
    assert clinic.post(remove, data={"csrf_token": clinic.csrf}).status_code == 404
    # Their service is not among our choices, so it cannot be attached.
    refused = clinic.post(
        "/studio/practitioners/new", data=form_data(clinic, services=[str(their_service_id)])
    )
    assert refused.status_code == 400
    assert row_counts(app) == before


def test_a_practitioners_photo_cannot_be_deleted_from_the_library(clinic, app):
    from meridian.media import service as media_service

    from ..media.samples import photo

    with app.app_context():
        item = media_service.save_upload(clinic.tenant.id, io.BytesIO(photo(600, 600, "PNG")))
        choice, item_id = f"media:{item.id}", item.id
    clinic.post("/studio/practitioners/new", data=form_data(clinic, photo=choice))
    with app.app_context():
        item = db.session.get(MediaItem, item_id)
        assert media_service.uses_of(item) == ["the photo of Robin Lee (Practitioners)"]
        with pytest.raises(media_service.MediaInUse):
            media_service.delete_item(item)
