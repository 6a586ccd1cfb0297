"""Versions of the notice: what each record was made under, and the words agreed to."""

from __future__ import annotations

import re

from sqlalchemy import select

from meridian.engagement import comments as comment_service
from meridian.engagement import contact as contact_service
from meridian.engagement import subscriptions
from meridian.extensions import db
from meridian.models import (
    AuditEvent,
    Booking,
    Comment,
    ContactMessage,
    Post,
    PrivacyNotice,
    Subscriber,
    Tenant,
)
from meridian.privacy.wording import WORDING


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _publish(owner, words: str, action: str = "publish"):
    return owner.post(
        "/studio/privacy/words",
        data={"csrf_token": owner.csrf, "text": words, "action": action},
    )


def _numbers(app, tenant) -> list[int | None]:
    with app.app_context():
        return [
            n
            for n in db.session.scalars(
                select(PrivacyNotice.number)
                .where(PrivacyNotice.tenant_id == tenant.id)
                .order_by(PrivacyNotice.id)
            )
        ]


def _version_of(app, model, row_id) -> int | None:
    with app.app_context():
        row = db.session.get(model, row_id)
        if row.privacy_notice_id is None:
            return None
        return db.session.get(PrivacyNotice, row.privacy_notice_id).number


def test_a_booking_after_a_new_version_records_it_and_one_before_keeps_the_old(
    app, make_tenant, make_service, next_free, book_via_http, signed_in_client
):
    clinic = make_tenant("clinic-a")
    service = make_service(clinic)
    assert book_via_http(clinic, service, next_free(clinic, service, 0)).status_code == 303
    owner = signed_in_client(clinic, "owner")
    assert _publish(owner, "We also keep paper notes locked in the clinic.").status_code == 302
    assert book_via_http(clinic, service, next_free(clinic, service, 0)).status_code == 303
    with app.app_context():
        first, second = db.session.scalars(select(Booking).order_by(Booking.id)).all()
        assert db.session.get(PrivacyNotice, first.privacy_notice_id).number == 1
        assert db.session.get(PrivacyNotice, second.privacy_notice_id).number == 2
        for booking in (first, second):
            assert booking.consent_text == WORDING["booking"]
        v1 = db.session.get(PrivacyNotice, first.privacy_notice_id)
        v2 = db.session.get(PrivacyNotice, second.privacy_notice_id)
        # Each version is kept as it read: only the second has the owner's words.
        assert "paper notes" not in v1.snapshot_html
        assert "paper notes" in v2.snapshot_html
        assert v1.reason == "first" and v2.reason == "published"
        assert v2.published_by == owner.user.email


def test_a_rescheduled_booking_keeps_what_was_agreed(
    app, make_tenant, make_service, next_free, book_via_http
):
    from meridian.booking.service import reschedule_booking

    clinic = make_tenant("clinic-a", change_cutoff_hours=0)  # the first free time is soon
    service = make_service(clinic)
    book_via_http(clinic, service, next_free(clinic, service, 0))
    with app.test_request_context(base_url=f"http://{clinic.primary_host}"):
        tenant = db.session.get(Tenant, clinic.id)
        booking = db.session.scalars(select(Booking)).one()
        # The owner publishes in between; the move is no new agreement.
        db.session.add(
            PrivacyNotice(tenant_id=tenant.id, number=2, published_at=booking.created_at)
        )
        db.session.commit()
        moved = reschedule_booking(tenant, booking, next_free(clinic, service, 3))
        assert moved.privacy_notice_id == booking.privacy_notice_id
        assert moved.consent_text == booking.consent_text


def test_comments_subscribers_and_messages_record_their_version_and_words(
    app, make_tenant, make_post
):
    clinic = make_tenant("clinic-a", name="Alpha Clinic")
    make_post(clinic, "hello")
    with app.test_request_context(base_url=f"http://{clinic.primary_host}"):
        tenant = db.session.get(Tenant, clinic.id)
        post = db.session.scalars(select(Post)).one()
        comment = comment_service.add_comment(
            tenant, post, name="Ann", email="ann@example.com", body="Thanks"
        )
        subscriptions.subscribe(tenant, "sub@example.com")
        message = contact_service.receive(
            tenant, name="Bo", email="bo@example.com", phone="", body="Hello"
        )
        db.session.commit()
        subscriber = db.session.scalars(select(Subscriber)).one()
        version = db.session.scalars(select(PrivacyNotice)).one()
        assert version.number == 1
        for row, form in ((comment, "comment"), (subscriber, "subscribe"), (message, "contact")):
            assert row.privacy_notice_id == version.id
            assert row.consent_text == WORDING[form].format(clinic="Alpha Clinic")
    # The forms show exactly those words.
    assert _version_of(app, Comment, comment.id) == 1
    assert _version_of(app, ContactMessage, message.id) == 1


def test_a_draft_is_not_shown_until_published(app, make_tenant, client_for, signed_in_client):
    clinic = make_tenant("clinic-a")
    reader = client_for(clinic)
    before = reader.get("/privacy")
    owner = signed_in_client(clinic, "owner")
    assert _publish(owner, "Our own words.", action="save").status_code == 302
    after = reader.get("/privacy")
    assert "Our own words." not in after.text
    assert after.headers["ETag"] == before.headers["ETag"]  # a draft changes no page
    assert _numbers(app, clinic) == [None]
    preview = owner.get("/studio/privacy/preview")
    assert preview.status_code == 200 and "Our own words." in preview.text
    _publish(owner, "Our own words.")
    page = reader.get("/privacy")
    assert "Our own words." in page.text and page.headers["ETag"] != before.headers["ETag"]
    assert "Version 1, in force since" in _text(page.text)
    assert _numbers(app, clinic) == [1]
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).filter_by(action="privacy.publish")).one()
        assert event.details == {"version": 1} and event.tenant_id == clinic.id


def test_the_owners_words_are_sanitised(make_tenant, client_for, signed_in_client):
    clinic = make_tenant("clinic-a")
    owner = signed_in_client(clinic, "owner")
    _publish(owner, "Hello <script>alert(1)</script> **friends**")
    page = client_for(clinic).get("/privacy").text
    assert "<script>alert" not in page and "<strong>friends</strong>" in page


def test_new_retention_periods_publish_a_new_version(app, make_tenant, signed_in_client):
    clinic = make_tenant("clinic-a")
    owner = signed_in_client(clinic, "owner")
    _publish(owner, "Kept words.")
    owner.post(
        "/studio/privacy",
        data={
            "csrf_token": owner.csrf,
            "reason_days": "10",
            "booking_months": "24",
            "contact_months": "12",
        },
    )
    with app.app_context():
        rows = db.session.scalars(select(PrivacyNotice).order_by(PrivacyNotice.number)).all()
        assert [(r.number, r.reason) for r in rows] == [(1, "published"), (2, "retention")]
        assert "Kept words." in rows[1].snapshot_html  # the owner's words carry over
        assert "erased 10 days after" in _text(rows[1].snapshot_html)
        assert "erased 30 days after" in _text(rows[0].snapshot_html)


def test_the_versions_are_listed_and_shown_as_they_read(make_tenant, signed_in_client):
    clinic = make_tenant("clinic-a")
    owner = signed_in_client(clinic, "owner")
    _publish(owner, "First words.")
    _publish(owner, "Second words.")
    page = owner.get("/studio/privacy").text
    assert "/studio/privacy/versions/1" in page and "/studio/privacy/versions/2" in page
    first = owner.get("/studio/privacy/versions/1")
    assert first.status_code == 200 and "First words." in first.text
    assert "Second words." not in first.text
    assert owner.get("/studio/privacy/versions/3").status_code == 404
    assert owner.get("/studio/privacy/versions/99999999999").status_code == 404


def test_another_clinics_versions_are_never_shown(make_tenant, signed_in_client):
    a = make_tenant("clinic-a")
    b = make_tenant("clinic-b")
    _publish(signed_in_client(a, "owner"), "Alpha's secret words.")
    b_owner = signed_in_client(b, "owner")
    assert b_owner.get("/studio/privacy/versions/1").status_code == 404
    _publish(b_owner, "Beta words.")
    shown = b_owner.get("/studio/privacy/versions/1").text
    assert "Beta words." in shown and "Alpha's secret words." not in shown


def test_too_long_words_come_back_with_the_error(make_tenant, signed_in_client):
    owner = signed_in_client(make_tenant("clinic-a"), "owner")
    response = _publish(owner, "x" * 5001)
    assert response.status_code == 422
    assert "Please keep this under 5,000 characters." in response.text


def test_the_desk_shows_what_the_client_agreed_to_and_under_which_version(
    app, make_tenant, make_service, next_free, book_via_http, signed_in_client
):
    clinic = make_tenant("clinic-a")
    service = make_service(clinic)
    book_via_http(clinic, service, next_free(clinic, service, 0))
    with app.app_context():
        booking_id = db.session.scalars(select(Booking.id)).one()
    owner = signed_in_client(clinic, "owner")
    page = owner.get(f"/studio/bookings/{booking_id}").text
    assert WORDING["booking"] in page
    assert 'href="/studio/privacy/versions/1"' in page
    desk = signed_in_client(clinic, "front_desk")
    page = desk.get(f"/studio/bookings/{booking_id}").text
    assert "version 1 of the privacy notice" in page
    assert "/studio/privacy/versions/1" not in page  # owners only


def test_the_first_version_can_be_written_outside_a_request(app, make_tenant):
    """The worker or a CLI may make the first record: the snapshot needs no request."""
    from meridian.privacy import versions

    clinic = make_tenant("clinic-a", country="NZ", timezone="Pacific/Auckland")
    with app.app_context():
        tenant = db.session.get(Tenant, clinic.id)
        first = versions.in_force(tenant)
        db.session.commit()
        assert first.number == 1
        text = _text(first.snapshot_html)
        assert "Office of the Privacy Commissioner" in text
        assert 'href="/privacy/request"' in first.snapshot_html
        assert versions.in_force(tenant).id == first.id  # found, not written again


def test_loading_a_clinic_publishes_version_1_once(app, demo):
    """A clinic has its notice before anyone sends a form; a reload adds no version."""
    from meridian.bundles import load_bundle

    from ..factories import ROOT

    with app.app_context():
        zak = demo["zak-clinic"].id
        first = db.session.scalars(select(PrivacyNotice).filter_by(tenant_id=zak)).all()
        assert [(v.number, v.reason) for v in first] == [(1, "first")]
        assert "Information Commissioner" in _text(first[0].snapshot_html)
        load_bundle(ROOT / "tenants" / "zak-clinic")
        again = db.session.scalars(select(PrivacyNotice.id).filter_by(tenant_id=zak)).all()
        assert again == [first[0].id]
