"""A clinic leaving Meridian: the admin console's export ZIP (the bundle loads back to the
same clinic; bookings, clients, subscribers and photos beside it) and deletion (only after
an export in the last day and the clinic's name typed; every tenant-owned row gone, photo
files too, domains free; the other clinic unchanged row by row)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from meridian import domains
from meridian.admin import removal
from meridian.backup import fingerprint
from meridian.booking.service import place_booking
from meridian.extensions import db
from meridian.media.storage import storage
from meridian.models import (
    ROLES,
    AuditEvent,
    Comment,
    Location,
    MediaItem,
    Membership,
    OutboxMessage,
    Post,
    Service,
    Subscriber,
    Tenant,
    User,
    utcnow,
)
from meridian.outbox import mail_folder

from .factories import PLATFORM_HOST, plant_session, row_counts
from .test_bundle_export import _edit_in_the_studio, visible

ZAK_HOST = "zak-clinic.localhost"


def _prints(app) -> dict:
    with app.app_context(), db.engine.connect() as conn:
        return fingerprint(conn)


@pytest.fixture
def zak(app, demo, next_free, make_member, client_for):
    """Zak Clinic with rows in most tenant-owned tables: studio edits (revisions, an
    uploaded photo, redirects), a booking (slot claims, e-mails), staff, a comment, a
    subscriber, a missing path."""
    tenant = demo["zak-clinic"]
    with app.app_context():
        _edit_in_the_studio(db.session.get(Tenant, tenant.id))
        service = db.session.scalars(
            select(Service).filter_by(tenant_id=tenant.id, online_bookable=True)
        ).first()
    start = next_free(tenant, service, 2)
    with app.test_request_context(base_url=f"http://{ZAK_HOST}"):
        place_booking(
            db.session.get(Tenant, tenant.id),
            db.session.get(Location, tenant.locations[0].id),
            db.session.get(Service, service.id),
            start,
            name="Ada Lovelace",
            email="ada@example.com",
            phone="+442079460018",
        )
    with app.app_context():
        post = db.session.scalars(select(Post).filter_by(tenant_id=tenant.id)).first()
        db.session.add_all(
            [
                Comment(tenant_id=tenant.id, post_id=post.id, author_name="Bo", body="Thanks"),
                Subscriber(tenant_id=tenant.id, email="sub@example.com", status="confirmed"),
            ]
        )
        db.session.commit()
    for role in ROLES:
        make_member(tenant, role, email=f"{role}@zak.test")
    client_for(tenant).get("/an-old-link")
    return tenant


def _export(client, tenant) -> zipfile.ZipFile:
    with client.post(
        f"/admin/clinics/{tenant.id}/export", data={"csrf_token": client.csrf}
    ) as response:  # the download streams from a temporary file: close it
        assert response.status_code == 200, response.text
        assert response.mimetype == "application/zip"
        assert "attachment" in response.headers["Content-Disposition"]
        assert "no-store" in response.headers["Cache-Control"]
        return zipfile.ZipFile(io.BytesIO(response.data))


def _delete(client, tenant, name: str):
    return client.post(
        f"/admin/clinics/{tenant.id}/delete",
        data={"csrf_token": client.csrf, "confirm_name": name},
    )


def test_the_export_holds_the_bundle_the_records_and_the_photos(app, zak, admin_client):
    admin = admin_client()
    archive = _export(admin, zak)
    names = set(archive.namelist())
    assert {"README.txt", "bundle/tenant.toml", "data/bookings.csv", "media/media.csv"} <= names
    assert {"data/clients.csv", "data/subscribers.csv"} <= names
    assert any(n.startswith("bundle/posts/") and n.endswith(".md") for n in names)
    bookings = list(csv.DictReader(io.StringIO(archive.read("data/bookings.csv").decode())))
    assert [b["client_email"] for b in bookings] == ["ada@example.com"]
    assert "reason" not in bookings[0]  # health data is never part of an admin's export
    clients = list(csv.DictReader(io.StringIO(archive.read("data/clients.csv").decode())))
    assert [(c["name"], c["visits"]) for c in clients] == [("Ada Lovelace", "1")]
    subscribers = archive.read("data/subscribers.csv").decode()
    assert "sub@example.com,confirmed" in subscribers
    media = list(csv.DictReader(io.StringIO(archive.read("media/media.csv").decode())))
    with app.app_context():
        items = db.session.scalars(select(MediaItem).filter_by(tenant_id=zak.id)).all()
        assert len(media) == len(items) >= 1
        door = next(i for i in items if i.alt == "The front door")
        widest = storage().get(door.storage_keys()[-1])
    row = next(m for m in media if m["description"] == "The front door")
    assert archive.read(f"media/{row['file']}") == widest
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "clinic.exported")
        ).one()
        assert (event.tenant_id, event.actor_id) == (zak.id, admin.user.id)
        assert event.details["bookings"] == 1 and event.details["posts"] == 6
    page = admin.get(f"/admin/clinics/{zak.id}")
    assert event.created_at.strftime("%Y-%m-%d %H:%M UTC") in page.text  # "Last export"


def test_delete_is_refused_without_a_recent_export_and_with_a_wrong_name(
    app, zak, admin_client, client_for
):
    admin = admin_client()
    before = _prints(app)
    refused = _delete(admin, zak, "Zak Clinic")  # right name, never exported
    assert refused.status_code == 400
    assert "needs an export from the last 24 hours" in refused.text
    assert 'value="Zak Clinic"' in refused.text  # what was typed is kept
    assert _prints(app) == before

    _export(admin, zak)
    with app.app_context():  # that export was 25 hours ago: too old
        db.session.execute(
            update(AuditEvent)
            .where(AuditEvent.action == "clinic.exported")
            .values(created_at=utcnow() - timedelta(hours=25))
        )
        db.session.commit()
    before = _prints(app)
    stale = _delete(admin, zak, "Zak Clinic")
    assert stale.status_code == 400 and "last 24 hours" in stale.text
    assert _prints(app) == before

    _export(admin, zak)
    before = _prints(app)
    for typed, message in [
        ("zak clinic", "not the clinic&#39;s name"),
        ("Zak", "not the clinic&#39;s name"),
        ("Acute Acupuncture", "not the clinic&#39;s name"),
        ("", "Type the clinic&#39;s name, exactly as shown"),
    ]:
        wrong = _delete(admin, zak, typed)
        assert wrong.status_code == 400, typed
        assert message in wrong.text, typed
        assert f'value="{typed}"' in wrong.text or typed == ""
        assert 'id="confirm_name-error"' in wrong.text and 'aria-invalid="true"' in wrong.text
    no_token = admin.post(f"/admin/clinics/{zak.id}/delete", data={"confirm_name": "Zak Clinic"})
    assert no_token.status_code == 400
    assert _prints(app) == before
    assert client_for(ZAK_HOST).get("/").status_code == 200


def test_delete_removes_every_row_of_the_clinic_and_nothing_of_the_other(
    app, zak, demo, admin_client, client_for
):
    admin = admin_client()
    _export(admin, zak)
    with app.app_context():
        keys = [
            key
            for item in db.session.scalars(select(MediaItem).filter_by(tenant_id=zak.id))
            for key in item.storage_keys()
        ]
        owned = {
            table.name: db.session.execute(
                select(func.count()).select_from(table).where(table.c.tenant_id == zak.id)
            ).scalar_one()
            for table in removal.tenant_tables()
        }
        staff = [
            u.id for u in db.session.scalars(select(User).where(User.email.like("%@zak.test")))
        ]
        message = db.session.scalars(select(OutboxMessage).filter_by(tenant_id=zak.id)).first()
        folder = mail_folder()
        folder.mkdir(parents=True, exist_ok=True)
        copy = folder / f"20260101-090000-{message.id}-{message.kind}.eml"
        unrelated = folder / f"20260101-090000-{message.id + 1000}-{message.kind}.eml"
        for path in (copy, unrelated):
            path.write_text("Subject: a copy the file backend kept\n")
    # The test means something only if the clinic had rows of every kind that matters.
    for table in ("booking", "outbox_message", "slot_claim", "post_revision", "membership",
                  "media_item", "comment", "subscriber", "missing_path", "audit_event",
                  "redirect", "practitioner", "opening_hours", "privacy_notice"):  # fmt: skip
        assert owned[table] > 0, table
    with app.app_context():
        assert keys and all(storage().exists(key) for key in keys)
    other_before = _prints(app)["acute-acupuncture"]

    done = _delete(admin, zak, " Zak Clinic ")
    assert done.status_code == 303 and done.headers["Location"] == "/admin/"
    home = admin.get("/admin/")
    assert "Zak Clinic is deleted" in home.text and "Its domains are free" in home.text

    with app.app_context():
        for table in removal.tenant_tables():  # every tenant-owned table, from the metadata
            left = db.session.execute(
                select(func.count()).select_from(table).where(table.c.tenant_id == zak.id)
            ).scalar_one()
            assert left == 0, table.name
        assert removal.remaining_rows(zak.id) == {}
        assert db.session.get(Tenant, zak.id) is None
        assert not domains.hostname_taken(ZAK_HOST)
        assert db.session.scalars(select(User).where(User.id.in_(staff))).all() == []
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 0
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "clinic.deleted")
        ).one()
        assert event.tenant_id is None and event.actor_id == admin.user.id
        assert event.target == "zak-clinic" and event.details["domains"] == [ZAK_HOST]
        assert event.details["rows"] == sum(owned.values())
        assert not any(storage().exists(key) for key in keys)
    assert not copy.exists() and unrelated.exists()
    unrelated.unlink()
    assert _prints(app)["acute-acupuncture"] == other_before  # row by row, every table
    assert client_for(ZAK_HOST).get("/").status_code == 404
    assert client_for(demo["acute-acupuncture"]).get("/").status_code == 200


def test_the_export_loads_back_to_the_same_clinic_after_deletion(app, zak, admin_client, tmp_path):
    with app.app_context():
        before = visible("zak-clinic")
    admin = admin_client()
    _export(admin, zak).extractall(tmp_path)
    assert _delete(admin, zak, "Zak Clinic").status_code == 303
    loaded = app.test_cli_runner().invoke(args=["tenants", "load", str(tmp_path / "bundle")])
    assert loaded.exit_code == 0, loaded.output
    with app.app_context():
        after = visible("zak-clinic")
    for part in before:
        assert after[part] == before[part], part


def test_people_who_are_not_platform_admins_are_refused_and_nothing_changes(
    app, zak, admin_client, make_user, client_for
):
    admin = admin_client()
    _export(admin, zak)  # a fresh export: only the person would stop a deletion
    with app.app_context():
        staff = {
            m.role: db.session.get(User, m.user_id)
            for m in db.session.scalars(select(Membership).filter_by(tenant_id=zak.id))
        }
    tries = []  # (who, host, user, session made on)
    for role, user in staff.items():
        tries.append((f"{role}, cookie replayed", PLATFORM_HOST, user, zak))
        tries.append((f"{role}, signed in on the platform host", PLATFORM_HOST, user, None))
    tries.append(("signed out", PLATFORM_HOST, None, None))
    tries.append(("admin, on the clinic's host", ZAK_HOST, admin.user, None))
    before = row_counts(app)
    prints = _prints(app)
    for who, host, user, made_on in tries:
        client = client_for(host)
        token = plant_session(client, host, user, made_on)
        for action, data in (("export", {}), ("delete", {"confirm_name": "Zak Clinic"})):
            with client.post(
                f"/admin/clinics/{zak.id}/{action}", data=data | {"csrf_token": token}
            ) as response:
                status = response.status_code
                assert status in (302, 303, 401, 403, 404), f"{who} {action}: {status}"
                if status in (302, 303):
                    assert "/sign-in" in response.headers["Location"], who
                assert response.mimetype != "application/zip", who
    assert row_counts(app) == before and _prints(app) == prints


def test_delete_is_refused_when_the_clinic_changed_after_its_export(app, zak, admin_client):
    """A booking made after the export would be lost without ever being exported."""
    admin = admin_client()
    _export(admin, zak)
    with app.app_context():  # the export was an hour ago; a subscriber came since
        db.session.execute(
            update(AuditEvent)
            .where(AuditEvent.action == "clinic.exported")
            .values(created_at=utcnow() - timedelta(hours=1))
        )
        db.session.add(Subscriber(tenant_id=zak.id, email="late@example.com", status="pending"))
        db.session.commit()
    before = _prints(app)
    refused = _delete(admin, zak, "Zak Clinic")
    assert refused.status_code == 400
    assert "changed since the last export: download a new export first" in refused.text
    assert _prints(app) == before
    _export(admin, zak)
    assert _delete(admin, zak, "Zak Clinic").status_code == 303
