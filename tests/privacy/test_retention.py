"""The retention purge: each clinic's periods, enforced by the worker's retention hook."""

from __future__ import annotations

from sqlalchemy import func, select

from meridian import worker
from meridian.extensions import db
from meridian.models import (
    Booking,
    Comment,
    ContactMessage,
    OutboxMessage,
    PrivacySettings,
    SlotClaim,
    Subscriber,
    Tenant,
)
from meridian.privacy.retention import months_before, purge_expired

from .conftest import days_ago


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_months_before_handles_month_ends():
    from datetime import UTC, datetime

    assert months_before(datetime(2026, 3, 31, 9, tzinfo=UTC), 1) == datetime(
        2026, 2, 28, 9, tzinfo=UTC
    )
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 24) == datetime(2024, 1, 15, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 1) == datetime(2025, 12, 15, tzinfo=UTC)


def test_reason_for_visit_is_erased_after_the_clinics_period(app, make_tenant, add_booking):
    clinic = make_tenant("clinic-a")
    old = add_booking(clinic, days_ago(31), reason="Knee pain")
    recent = add_booking(clinic, days_ago(29), reason="Back pain")
    future = add_booking(clinic, days_ago(-5), reason="Headaches")
    with app.app_context():
        done = purge_expired()
        assert done["reasons_erased"] == 1
        assert db.session.get(Booking, old).reason == ""
        assert db.session.get(Booking, recent).reason == "Back pain"
        assert db.session.get(Booking, future).reason == "Headaches"
        # The booking itself stays (its own period is longer).
        assert db.session.get(Booking, old).client_email == "ada@example.com"


def test_each_clinic_keeps_its_own_periods(app, make_tenant, add_booking):
    strict = make_tenant("clinic-a")
    relaxed = make_tenant("clinic-b")
    with app.app_context():
        db.session.add(PrivacySettings(tenant_id=strict.id, reason_days=2, booking_months=1))
        db.session.add(PrivacySettings(tenant_id=relaxed.id, reason_days=90, booking_months=36))
        db.session.commit()
    a_reason = add_booking(strict, days_ago(3), reason="Insomnia")
    b_reason = add_booking(relaxed, days_ago(3), reason="Insomnia")
    a_old = add_booking(strict, days_ago(40))
    b_old = add_booking(relaxed, days_ago(40))
    with app.app_context():
        purge_expired()
        assert db.session.get(Booking, a_reason).reason == ""
        assert db.session.get(Booking, b_reason).reason == "Insomnia"
        assert db.session.get(Booking, a_old) is None
        assert db.session.get(Booking, b_old) is not None


def test_expired_bookings_go_with_their_claims_and_mail(app, make_tenant, add_booking):
    clinic = make_tenant("clinic-a")
    expired = add_booking(clinic, days_ago(800))  # 24 months by default
    kept = add_booking(clinic, days_ago(700))
    with app.app_context():
        db.session.add(
            OutboxMessage(
                tenant_id=clinic.id,
                booking_id=expired,
                kind="booking-confirmed",
                recipient="ada@example.com",
                subject="Your appointment",
                body_text="See you then",
                status="sent",
                idempotency_key=f"confirm:{expired}",
            )
        )
        db.session.commit()
        done = purge_expired()
        assert done["bookings_deleted"] == 1
        assert db.session.get(Booking, expired) is None
        assert db.session.get(Booking, kept) is not None
        assert _count(SlotClaim, SlotClaim.booking_id == expired) == 0
        assert _count(OutboxMessage, OutboxMessage.booking_id == expired) == 0
        assert _count(SlotClaim, SlotClaim.booking_id == kept) == 1


def test_a_moved_booking_pointing_at_an_expired_one_does_not_block_the_purge(
    app, make_tenant, add_booking
):
    """An appointment moved *earlier*: the original (later) row points at the expired one."""
    clinic = make_tenant("clinic-a")
    moved_to = add_booking(clinic, days_ago(800))
    original = add_booking(clinic, days_ago(600), status="rescheduled")
    with app.app_context():
        db.session.get(Booking, original).rescheduled_to_id = moved_to
        db.session.commit()
        purge_expired()
        assert db.session.get(Booking, moved_to) is None
        row = db.session.get(Booking, original)
        assert row is not None and row.rescheduled_to_id is None


def test_readers_rows_past_their_periods_go(app, make_tenant, make_post):
    clinic = make_tenant("clinic-a")
    post = make_post(clinic, "hello")
    with app.app_context():
        rows = [
            ContactMessage(
                tenant_id=clinic.id,
                name="Old",
                email="o@example.com",
                body="x",
                created_at=days_ago(400),
            ),
            ContactMessage(
                tenant_id=clinic.id,
                name="New",
                email="n@example.com",
                body="x",
                created_at=days_ago(300),
            ),
            Subscriber(
                tenant_id=clinic.id,
                email="never@example.com",
                status="pending",
                created_at=days_ago(31),
            ),
            Subscriber(
                tenant_id=clinic.id,
                email="fresh@example.com",
                status="pending",
                created_at=days_ago(2),
            ),
            Subscriber(
                tenant_id=clinic.id,
                email="gone@example.com",
                status="unsubscribed",
                created_at=days_ago(300),
                unsubscribed_at=days_ago(31),
            ),
            Subscriber(
                tenant_id=clinic.id,
                email="reader@example.com",
                status="confirmed",
                created_at=days_ago(900),
                confirmed_at=days_ago(900),
            ),
            Comment(
                tenant_id=clinic.id,
                post_id=post.id,
                author_name="Spam",
                body="buy",
                status="spam",
                created_at=days_ago(31),
            ),
            Comment(
                tenant_id=clinic.id,
                post_id=post.id,
                author_name="Ann",
                body="Thanks",
                status="approved",
                created_at=days_ago(900),
            ),
            OutboxMessage(
                tenant_id=clinic.id,
                kind="subscribe-confirm",
                recipient="o@example.com",
                subject="Confirm",
                body_text="x",
                status="sent",
                created_at=days_ago(91),
                idempotency_key="old-mail",
            ),
            OutboxMessage(
                tenant_id=clinic.id,
                kind="subscribe-confirm",
                recipient="o@example.com",
                subject="Confirm",
                body_text="x",
                status="queued",
                created_at=days_ago(91),
                idempotency_key="waiting-mail",
            ),
        ]
        db.session.add_all(rows)
        db.session.commit()
        version = db.session.get(Tenant, clinic.id).content_version
        done = purge_expired()
        assert done == {
            "messages_deleted": 1,
            "subscribers_deleted": 2,
            "spam_deleted": 1,
            "mail_copies_deleted": 1,
        }
        assert db.session.scalars(select(ContactMessage.name)).all() == ["New"]
        assert sorted(db.session.scalars(select(Subscriber.email))) == [
            "fresh@example.com",
            "reader@example.com",
        ]
        assert db.session.scalars(select(Comment.author_name)).all() == ["Ann"]
        assert db.session.scalars(select(OutboxMessage.idempotency_key)).all() == ["waiting-mail"]
        # Nothing readers see changed: the cached pages stay valid.
        db.session.expire_all()
        assert db.session.get(Tenant, clinic.id).content_version == version


def test_the_worker_runs_the_purge_as_a_retention_hook(app, make_tenant, add_booking):
    clinic = make_tenant("clinic-a")
    old = add_booking(clinic, days_ago(45), reason="Migraine")
    assert purge_expired in worker._RETENTION_HOOKS
    with app.app_context():
        worker._TASKS["retention"].run()
        assert db.session.get(Booking, old).reason == ""


def test_running_twice_changes_nothing_more(app, make_tenant, add_booking):
    clinic = make_tenant("clinic-a")
    add_booking(clinic, days_ago(800))
    with app.app_context():
        assert purge_expired()["bookings_deleted"] == 1
        assert purge_expired() == {}
