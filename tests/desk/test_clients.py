"""Clients built from bookings: matched by e-mail or phone, searched without putting a
name in a URL, each one's bookings and no-shows; export and erasure in one action each."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from sqlalchemy import select, text

from meridian.extensions import db
from meridian.models import AuditEvent, Booking, SlotClaim
from meridian.outbox import send_due

from ..factories import csrf_token, row_counts


def _actions(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_one_client_per_person_by_email_or_phone(app, make_tenant, booked, signed_in_client):
    tenant = make_tenant("clinic-a")
    first, _ = booked(tenant, 0, email="ada@example.com", phone="020 7946 0018")
    booked(tenant, 3, email="ADA@Example.com", phone="020 7946 0099")  # same mailbox
    booked(tenant, 6, email="ada.work@example.com", phone="020 7946 0099")  # same phone
    booked(tenant, 9, name="Bo Diddley", email="bo@example.com", phone="020 7946 0077")
    desk = signed_in_client(tenant, "front_desk")
    page = desk.get(f"/studio/bookings/{first}")
    desk.post(
        f"/studio/bookings/{first}/attendance",
        data={"csrf_token": csrf_token(page.text), "mark": "no_show"},
    )
    listing = desk.get("/studio/clients")
    assert listing.status_code == 200 and "no-store" in listing.headers["Cache-Control"]
    assert listing.text.count('href="/studio/clients/') == 2
    mine = desk.get(f"/studio/clients/{first}")
    assert mine.status_code == 200
    rows = mine.text.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("<tr>") == 3  # her three bookings
    assert "<dt>No-shows</dt><dd>1</dd>" in mine.text
    assert [e.target for e in _actions(app, "client.view")] == [f"client:{first}"]


def test_search_by_name_email_or_phone_is_a_post(make_tenant, booked, signed_in_client):
    tenant = make_tenant("clinic-a")
    booked(tenant, 0)
    booked(tenant, 3, name="Bo Diddley", email="bo@example.com", phone="020 7946 0077")
    desk = signed_in_client(tenant, "owner")
    token = csrf_token(desk.get("/studio/clients").text)
    for query, who in (
        ("lovelace", "Ada Lovelace"),
        ("BO@EXAMPLE", "Bo Diddley"),
        ("7946 0077", "Bo Diddley"),
    ):
        found = desk.post("/studio/clients", data={"csrf_token": token, "q": query})
        assert found.status_code == 200
        assert who in found.text and "1 client found" in found.text, query
    nobody = desk.post("/studio/clients", data={"csrf_token": token, "q": "zzz"})
    assert "Nobody matches" in nobody.text
    empty = desk.post("/studio/clients", data={"csrf_token": token, "q": ""})
    assert empty.status_code == 400 and "Please type something" in empty.text


MARK = {
    "email": "erase.me@example.com",
    "phone": "020 7946 0555",
    "name": "Erin Erasable",
    "reason": "ERASE-MARKER migraine with aura",
}
E164 = "+442079460555"


def _everything(app) -> str:
    """Every row of every table, and every file under instance/, as one string."""
    parts = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(text(f'SELECT * FROM "{table.name}"')):
                parts.append(repr(tuple(row)))
    for path in Path(app.instance_path).rglob("*"):
        if path.is_file():
            parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


def test_export_holds_every_booking_and_email_then_erase_leaves_nothing(
    app, make_tenant, booked, signed_in_client
):
    tenant = make_tenant("clinic-a")
    first, _ = booked(tenant, 0, **MARK)
    second, _ = booked(tenant, 4, **MARK)
    other, _ = booked(tenant, 8)  # someone else, untouched
    with app.app_context():
        send_due()  # the e-mails are in instance/mail/ too
    owner = signed_in_client(tenant, "owner")
    page = owner.get(f"/studio/clients/{first}")
    assert "Export everything" in page.text
    exported = owner.post(
        f"/studio/clients/{first}/export", data={"csrf_token": csrf_token(page.text)}
    )
    assert exported.status_code == 200 and exported.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(exported.data))
    assert set(archive.namelist()) == {"client.json", "bookings.csv", "emails.csv"}
    document = json.loads(archive.read("client.json"))
    with app.app_context():
        refs = set(
            db.session.scalars(select(Booking.reference).where(Booking.id.in_([first, second])))
        )
        from meridian.models import OutboxMessage

        mails = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.booking_id.in_([first, second]))
        ).all()
    assert {b["reference"] for b in document["bookings"]} == refs
    assert all(b["reason"] == MARK["reason"] for b in document["bookings"])
    assert len(document["emails"]) == len(mails) >= 2
    rows = list(csv.DictReader(io.StringIO(archive.read("bookings.csv").decode())))
    assert {r["reference"] for r in rows} == refs
    assert "Ada Lovelace" not in archive.read("client.json").decode()
    assert len(_actions(app, "client.export")) == 1
    assert MARK["reason"] not in str([e.details for e in _actions(app, "client.export")])

    assert MARK["email"] in _everything(app)  # the control: the search does find it
    erase_page = owner.get(f"/studio/clients/{first}/erase")
    unconfirmed = owner.post(
        f"/studio/clients/{first}/erase", data={"csrf_token": csrf_token(erase_page.text)}
    )
    assert unconfirmed.status_code == 400 and "tick the box" in unconfirmed.text
    erased = owner.post(
        f"/studio/clients/{first}/erase",
        data={"csrf_token": csrf_token(erase_page.text), "confirm": "y"},
    )
    assert erased.status_code == 303
    everything = _everything(app)
    for marker in (MARK["email"], E164, MARK["name"], MARK["reason"], "erase.me"):
        assert marker not in everything, marker
    with app.app_context():
        kept = db.session.scalars(select(Booking).where(Booking.id.in_([first, second]))).all()
        assert {b.status for b in kept} == {"cancelled"}  # both were in the future
        assert {b.client_name for b in kept} == {"Erased client"}
        assert (
            db.session.scalars(
                select(SlotClaim).where(SlotClaim.booking_id.in_([first, second]))
            ).all()
            == []
        )
        assert db.session.get(Booking, other).client_email == "ada@example.com"
    assert owner.get(f"/studio/clients/{first}").status_code == 404
    assert "Erin" not in owner.get("/studio/clients").text
    assert len(_actions(app, "client.erase")) == 1


def test_front_desk_may_not_export_or_erase(app, make_tenant, booked, signed_in_client):
    tenant = make_tenant("clinic-a")
    first, _ = booked(tenant)
    desk = signed_in_client(tenant, "front_desk")
    page = desk.get(f"/studio/clients/{first}")
    assert page.status_code == 200 and "Export everything" not in page.text
    token = csrf_token(page.text)
    before = row_counts(app)
    assert (
        desk.post(f"/studio/clients/{first}/export", data={"csrf_token": token}).status_code == 403
    )
    erase = desk.post(f"/studio/clients/{first}/erase", data={"csrf_token": token, "confirm": "y"})
    assert erase.status_code == 403
    assert row_counts(app) == before
