"""Onboarding a clinic from the admin console: the form, a bundle folder, a bundle ZIP.

The clinic serves at once on its platform address with pages written from what was
entered; the owner's invitation link works on that host; the clinic's own domains wait
for DNS; bad input is kept and named, and nothing is stored.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from meridian.backup import fingerprint
from meridian.extensions import db
from meridian.models import (
    AuditEvent,
    Domain,
    Membership,
    OutboxMessage,
    Practitioner,
    Service,
    Tenant,
    User,
)

from .factories import csrf_token, row_counts

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"(https?://[^\s/]+)(/studio/invitation/\S+)")
PASSWORD = "copper kettle morning tide"

FORM = {
    "name": "Harbour Physio",
    "slug": "harbour-physio",
    "other_domains": "Harbour-Physio.co.nz\nwww.harbour-physio.co.nz\n",
    "locale": "en_NZ",
    "currency": "NZD",
    "location_name": "Harbour Physio Thorndon",
    "street": "12 Tinakori Road",
    "city": "Wellington",
    "postcode": "6011",
    "phone": "+64 4 555 0100",
    "timezone": "Pacific/Auckland",
    "days": ["mon", "tue", "wed", "thu", "fri"],
    "opens": "08:30",
    "closes": "17:30",
    "practitioner": "Mere Tane",
    "service_name": "Physiotherapy assessment",
    "service_minutes": "45",
    "service_price": "85.00",
    "free_consultation": "y",
    "brand_primary": "#0b4f6c",
    "brand_accent": "#8a3b12",
    "owner_email": "Owner@Harbour-Physio.example",
}


def onboard(client, **changes):
    data = {"csrf_token": client.csrf, **FORM, **changes}
    data = {key: value for key, value in data.items() if value is not None}
    return client.post("/admin/clinics/new", data=data)


def test_the_wizard_creates_a_clinic_that_serves_at_once_and_invites_its_owner(
    app, admin_client, client_for, demo, next_free, book_via_http
):
    admin = admin_client()
    assert admin.get("/admin/clinics/new").status_code == 200
    demo_rows = _demo_rows(app, demo)
    response = onboard(admin)
    assert response.status_code == 302, response.text
    page = admin.get(response.headers["Location"])
    assert "Harbour Physio is live at harbour-physio.localhost" in page.text
    assert "Verify harbour-physio.co.nz, www.harbour-physio.co.nz" in page.text
    assert "owner@harbour-physio.example" in page.text

    with app.app_context():
        tenant = db.session.scalars(select(Tenant).where(Tenant.slug == "harbour-physio")).one()
        assert (tenant.locale, tenant.currency, tenant.country) == ("en_NZ", "NZD", "NZ")
        assert (tenant.brand_primary, tenant.brand_accent) == ("#0b4f6c", "#8a3b12")
        hosts = {
            d.hostname: (d.is_primary, d.verified_at is not None)
            for d in db.session.scalars(select(Domain).where(Domain.tenant_id == tenant.id))
        }
        assert hosts == {
            "harbour-physio.localhost": (True, True),
            "harbour-physio.co.nz": (False, False),
            "www.harbour-physio.co.nz": (False, False),
        }
        services = {
            s.slug: (s.duration_minutes, s.price_minor)
            for s in db.session.scalars(select(Service).where(Service.tenant_id == tenant.id))
        }
        assert services == {
            "free-consultation": (15, 0),
            "physiotherapy-assessment": (45, 8500),
        }
        location = tenant.locations[0]
        assert location.timezone == "Pacific/Auckland"
        assert sorted(
            (h.weekday, f"{h.opens:%H:%M}", f"{h.closes:%H:%M}") for h in location.hours
        ) == [(day, "08:30", "17:30") for day in range(5)]
        practitioner = db.session.scalars(
            select(Practitioner).where(Practitioner.tenant_id == tenant.id)
        ).one()
        assert practitioner.name == "Mere Tane" and len(practitioner.services) == 2
        assert "clinic.onboarded" in set(
            db.session.scalars(select(AuditEvent.action).where(AuditEvent.tenant_id == tenant.id))
        )
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.tenant_id == tenant.id)
        ).one()
    assert message.recipient == "owner@harbour-physio.example"

    site = client_for("harbour-physio.localhost")
    for path in ("/", "/blog", "/faq", "/contact", "/book"):
        served = site.get(path, follow_redirects=True)
        assert served.status_code == 200, path
        assert "lorem" not in served.text.lower()
    home = site.get("/").text
    assert "Harbour Physio" in home and "12 Tinakori Road" in home
    assert "free 15-minute consultation" in home
    assert client_for("harbour-physio.co.nz").get("/").status_code == 404  # pending

    origin, path = LINK.search(message.body_text).groups()
    assert origin == "http://harbour-physio.localhost"
    owner = client_for("harbour-physio.localhost")
    form = owner.get(path)
    accepted = owner.post(
        path,
        data={
            "csrf_token": csrf_token(form.text),
            "display_name": "Hana Owner",
            "new_password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert accepted.headers["Location"] == "/studio/"
    assert owner.get("/studio/").status_code == 200
    with app.app_context():
        user = db.session.scalars(
            select(User).where(User.email == "owner@harbour-physio.example")
        ).one()
        role = db.session.scalars(
            select(Membership.role).where(Membership.user_id == user.id)
        ).one()
    assert role == "owner"

    with app.app_context():  # a visitor books the free consultation at once
        tenant = db.session.scalars(select(Tenant).where(Tenant.slug == "harbour-physio")).one()
        _ = tenant.locations, tenant.domains
        free = db.session.scalars(
            select(Service).where(Service.tenant_id == tenant.id, Service.price_minor == 0)
        ).one()
        db.session.expunge_all()
    booked = book_via_http(tenant, free, next_free(tenant, free))
    assert booked.status_code == 303, booked.text
    assert _demo_rows(app, demo) == demo_rows


def _demo_rows(app, demo):
    """Every row of both demo clinics, as a count and a digest per table."""
    with app.app_context(), db.engine.connect() as conn:
        prints = fingerprint(conn)
    return {slug: prints[slug] for slug in demo}


def test_no_free_consultation_when_unticked(app, admin_client):
    response = onboard(admin_client(), free_consultation=None, other_domains="")
    assert response.status_code == 302
    with app.app_context():
        slugs = set(db.session.scalars(select(Service.slug)))
    assert slugs == {"physiotherapy-assessment"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"slug": "Harbour Physio"}, "slug", "Use lower-case letters"),
        ({"other_domains": "https://harbour.example/blog"}, "other_domains", "no https://"),
        ({"other_domains": "zak-clinic.localhost"}, "other_domains", "already in use"),
        ({"other_domains": "localhost"}, "other_domains", "not a valid domain"),
        ({"slug": "zak-clinic"}, "slug", "already has this short name"),
        ({"closes": "08:00"}, "closes", "after opening time"),
        ({"brand_primary": "#ffee00"}, "brand_primary", "hard to read"),
        ({"owner_email": "not an address"}, "owner_email", "valid e-mail"),
        ({"days": None}, "days", "at least one day"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Not a valid choice"),
    ],
)
def test_bad_input_is_named_beside_its_field_kept_and_nothing_stored(
    app, admin_client, demo, changes, field, message
):
    admin = admin_client()
    before = row_counts(app)
    response = onboard(admin, **changes)
    assert response.status_code == 422
    assert message in response.text
    assert f'id="{field}-error"' in response.text
    assert 'value="Harbour Physio"' in response.text  # what was typed is kept
    assert row_counts(app) == before


def _tiny_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 10), (40, 90, 120)).save(buffer, "JPEG")
    return buffer.getvalue()


def _zip_of(folder: Path, top: str) -> bytes:
    """The bundle zipped, its photos replaced by tiny ones (small enough for the test
    client to send from memory: bigger bodies go through a temporary file it leaves open)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in folder.rglob("*"):
            if not path.is_file():
                continue
            name = f"{top}/{path.relative_to(folder)}"
            if path.suffix == ".jpg":
                archive.writestr(name, _tiny_jpeg())
            else:
                archive.write(path, name)
    return buffer.getvalue()


def test_a_bundle_zip_becomes_a_new_clinic_on_its_platform_address(
    app, admin_client, client_for, tmp_path, make_app
):
    tenants_dir = tmp_path / "tenants"
    tenants_dir.mkdir()
    variant = make_app(TENANTS_DIR=str(tenants_dir))
    admin = admin_client()
    admin.application = variant
    payload = _zip_of(ROOT / "tenants" / "zak-clinic", "zak-clinic")
    response = admin.post(
        "/admin/clinics/new/bundle",
        data={
            "b-csrf_token": admin.csrf,
            "b-folder": "",
            "b-bundle": (io.BytesIO(payload), "zak.zip"),
            "b-owner_email": "zak@example.com",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.text
    with app.app_context():
        tenant = db.session.scalars(select(Tenant).where(Tenant.slug == "zak-clinic")).one()
        assert tenant.primary_host == "zak-clinic.localhost"
        assert db.session.scalars(select(OutboxMessage.recipient)).all() == ["zak@example.com"]
    assert (tenants_dir / "zak-clinic" / "static" / "logo.svg").is_file()
    site = client_for("zak-clinic.localhost", variant)
    assert "Zak Clinic" in site.get("/").text
    logo = site.get("/brand/logo.svg")
    assert logo.status_code == 200
    logo.close()

    again = admin.post(
        "/admin/clinics/new/bundle",
        data={
            "b-csrf_token": admin.csrf,
            "b-bundle": (io.BytesIO(payload), "zak.zip"),
        },
        content_type="multipart/form-data",
    )
    assert again.status_code == 422 and "already exists" in again.text


def test_a_zip_with_a_path_outside_its_folder_is_refused(app, admin_client, tmp_path, make_app):
    variant = make_app(TENANTS_DIR=str(tmp_path))
    admin = admin_client()
    admin.application = variant
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../evil/tenant.toml", 'slug = "evil"')
    before = row_counts(app)
    response = admin.post(
        "/admin/clinics/new/bundle",
        data={"b-csrf_token": admin.csrf, "b-bundle": (io.BytesIO(buffer.getvalue()), "x.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "unsafe path" in response.text
    assert not (tmp_path.parent / "evil").exists()
    assert row_counts(app) == before


def test_a_bundle_folder_on_the_server_is_offered_and_loaded(
    app, admin_client, client_for, tmp_path, make_app
):
    shutil.copytree(ROOT / "tenants" / "acute-acupuncture", tmp_path / "acute-acupuncture")
    variant = make_app(TENANTS_DIR=str(tmp_path))
    admin = admin_client()
    admin.application = variant
    page = admin.get("/admin/clinics/new")
    assert '<option value="acute-acupuncture">' in page.text
    response = admin.post(
        "/admin/clinics/new/bundle",
        data={"b-csrf_token": admin.csrf, "b-folder": "acute-acupuncture"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.text
    site = client_for("acute-acupuncture.localhost", variant)
    assert site.get("/").status_code == 200
    assert '<option value="acute-acupuncture">' not in admin.get("/admin/clinics/new").text


def test_a_short_name_with_a_bundle_folder_on_the_server_is_refused(app, admin_client):
    """A folder in TENANTS_DIR (a clinic waiting to be onboarded from it, or one deleted
    whose files stayed) would lend the new clinic its templates and /brand files."""
    admin = admin_client()
    before = row_counts(app)
    response = onboard(admin, slug="zak-clinic")  # tenants/zak-clinic, not loaded here
    assert response.status_code == 422
    assert "The server has a bundle folder with this short name" in response.text
    assert 'id="slug-error"' in response.text
    assert row_counts(app) == before
