"""Booking rules found from the outside: one mailbox is one client, however written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from meridian.booking.identity import canonical_email
from meridian.extensions import db
from meridian.models import Booking, NewClientClaim


def count(model) -> int:
    return db.session.scalar(
        select(func.count()).select_from(model).execution_options(all_tenants=True)
    )


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("First.Last@gmail.com", "firstlast@gmail.com"),
        ("firstlast@googlemail.com", "firstlast@gmail.com"),
        ("first.last+again@gmail.com", "firstlast@gmail.com"),
        ("F.I.R.S.T.L.A.S.T+x+y@GoogleMail.com", "firstlast@gmail.com"),
        ("ada+clinic@outlook.com", "ada@outlook.com"),
        ("a.b@outlook.com", "a.b@outlook.com"),  # Outlook keeps dots
        ("A.B+tag@Example.com", "a.b+tag@example.com"),  # unknown provider: case only
        ("jose@Bücher.example", "jose@xn--bcher-kva.example"),
    ],
)
def test_canonical_email(raw, canonical):
    assert canonical_email(raw) == canonical


@pytest.mark.parametrize(
    "second_email",
    ["First.Last@gmail.com", "firstlast@googlemail.com", "first.last+again@gmail.com"],
)
def test_new_clients_only_sees_one_mailbox_written_differently(
    app, make_tenant, make_service, next_free, book_via_http, second_email
):
    tenant = make_tenant()
    free = make_service(tenant, "free-consultation", new_clients_only=True)
    first = book_via_http(tenant, free, next_free(tenant, free, 0), email="firstlast@gmail.com")
    assert first.status_code == 303
    again = book_via_http(
        tenant, free, next_free(tenant, free, 8), email=second_email, phone="020 7946 0999"
    )
    assert again.status_code == 422 and "for new clients" in again.text
    with app.app_context():
        assert count(Booking) == 1
        claims = set(db.session.scalars(select(NewClientClaim.value)))
        assert "firstlast@gmail.com" in claims


def test_new_clients_only_sees_one_phone_written_differently(
    app, make_tenant, make_service, next_free, book_via_http
):
    tenant = make_tenant()
    free = make_service(tenant, "free-consultation", new_clients_only=True)
    assert book_via_http(tenant, free, next_free(tenant, free, 0)).status_code == 303
    again = book_via_http(
        tenant,
        free,
        next_free(tenant, free, 8),
        email="other@example.com",
        phone="+44 20 7946 0018",
    )
    assert again.status_code == 422 and "for new clients" in again.text
    with app.app_context():
        assert count(Booking) == 1


def test_the_migration_canonicalises_claims_like_the_app():
    """The migration that rewrote stored claims froze a copy of the rule: they agree."""
    import importlib.util
    from pathlib import Path

    path = next((Path(__file__).parents[1] / "migrations/versions").glob("f93f2d1b4a21_*.py"))
    spec = importlib.util.spec_from_file_location("canonical_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for raw in ("First.Last@gmail.com", "a.b+x@googlemail.com", "x+y@outlook.com", "Q@Ex.org"):
        assert module._canonical(raw.lower()) == canonical_email(raw)


# --- Cancel and reschedule links stop at the clinic's cut-off -----------------------


@pytest.fixture
def booked_soon(app, make_tenant, make_service, next_free, book_via_http):
    """A booking whose start we then move to `hours` from now (as if time had passed)."""
    from datetime import timedelta

    from sqlalchemy import update

    from meridian.models import utcnow

    tenant = make_tenant("clinic-a", change_cutoff_hours=24)
    service = make_service(tenant)
    assert book_via_http(tenant, service, next_free(tenant, service)).status_code == 303

    def at(hours: float):
        with app.app_context():
            booking = db.session.scalars(select(Booking)).one()
            start = utcnow() + timedelta(hours=hours)
            db.session.execute(
                update(Booking).values(starts_at=start, ends_at=start, blocked_until=start)
            )
            db.session.commit()
            db.session.refresh(booking)
            db.session.expunge(booking)
            return booking

    return tenant, at


@pytest.mark.parametrize("action", ["cancel", "reschedule"])
@pytest.mark.parametrize(
    ("hours", "refused"), [(-1, True), (0.01, True), (23.5, True), (25, False), (24 * 30, False)]
)
def test_links_refuse_after_the_start_and_within_the_cut_off(
    app, booked_soon, client_for, action, hours, refused
):
    from meridian.booking.tokens import make_token

    tenant, at = booked_soon
    booking = at(hours)
    with app.app_context():
        url = f"/book/{action}/{make_token(booking, action)}"
    client = client_for(tenant)
    page = client.get(url)
    if not refused:
        assert page.status_code == 200
        return
    assert page.status_code == 410
    assert "can no longer be changed online" in page.text
    assert 'href="tel:+442079460000"' in page.text and "+44 20 7946 0000" in page.text
    assert "24 hours" in page.text
    # A POST (even with a token from an earlier visit) changes nothing either.
    with app.app_context():
        before = db.session.get(Booking, booking.id).status
    assert client.post(url, data={}).status_code in (400, 410)
    with app.app_context():
        assert db.session.get(Booking, booking.id).status == before == "confirmed"


def test_the_service_refuses_too_late_even_if_the_page_was_open(app, booked_soon):
    """The page was shown in time; the POST arrives after the cut-off: the conditional
    UPDATE refuses, not just the page."""
    from meridian.booking.service import TooLate, cancel_booking
    from meridian.models import Tenant

    tenant, at = booked_soon
    booking = at(2)
    with app.app_context():
        row = db.session.get(Booking, booking.id)
        with pytest.raises(TooLate):
            cancel_booking(db.session.get(Tenant, tenant.id), row)
        assert db.session.get(Booking, booking.id).status == "confirmed"


def test_a_clinic_can_set_its_cut_off_in_the_bundle(app, tmp_path):
    import shutil

    from meridian.bundles import BundleError, load_bundle
    from meridian.models import Tenant

    bundle = tmp_path / "zak-clinic"
    shutil.copytree(Path(__file__).parents[1] / "tenants" / "zak-clinic", bundle)
    toml = bundle / "tenant.toml"
    toml.write_text(toml.read_text() + "\n[booking]\nchange_cutoff_hours = 48\n")
    with app.app_context():
        load_bundle(bundle)
        assert db.session.scalars(select(Tenant.change_cutoff_hours)).one() == 48
        toml.write_text(toml.read_text().replace("= 48", "= -3"))
        with pytest.raises(BundleError, match="change_cutoff_hours"):
            load_bundle(bundle)


# --- The rate limiter answers before the CSRF check ---------------------------------


@pytest.mark.parametrize("path", ["/book/details", "/book/cancel/x.y.z", "/book/reschedule/x.y.z"])
def test_a_flood_of_token_less_posts_gets_429(
    app, make_tenant, make_service, client_for, monkeypatch, path
):
    monkeypatch.setitem(app.config, "RATE_LIMITS_ENABLED", True)
    monkeypatch.setitem(app.config, "BOOKING_RATE_LIMIT", "3 per minute")
    from meridian.extensions import limiter

    limiter.reset()
    tenant = make_tenant()
    make_service(tenant)
    client = client_for(tenant)
    codes = [client.post(path, data={"name": "x"}).status_code for _ in range(6)]
    # The CSRF check refuses the first ones (a 400, or the details form's own answer)…
    assert all(code in (302, 400) for code in codes[:3]), codes
    assert codes[3:] == [429, 429, 429], codes  # …then the limiter answers, before CSRF
    with app.app_context():
        assert count(Booking) == 0
