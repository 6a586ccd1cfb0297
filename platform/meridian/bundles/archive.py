"""A clinic's complete export as one ZIP: what a clinic leaving Meridian takes with it.

    README.txt
    bundle/              the bundle (`export_bundle`): tenant.toml, posts/, static/ and
                         templates/; unzip and `flask --app wsgi tenants load bundle`, or
                         upload the ZIP as it is to the admin console's "Onboard from a
                         bundle" (it finds the one folder holding tenant.toml)
    data/bookings.csv    every booking: when (UTC and the location's clock), where, with
                         whom, what, state and the client's name, e-mail and phone
    data/clients.csv     one row per client (bookings grouped as the studio's Clients page
                         groups them)
    data/subscribers.csv every e-mail subscription with its state and dates
    media/               every photo of the media library (its widest stored copy) and
                         media.csv with each one's description

Personal data stays out of `bundle/`, which the onboarding copies onto a server. The reason
for visit (health data) and desk notes are not exported here: an admin's access never
shows them (the clinic's owner exports a client's full record from the studio).
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import spreadsheet
from ..desk.clients import all_clients
from ..extensions import db
from ..media.storage import storage
from ..models import Booking, MediaItem, Subscriber, Tenant, utcnow
from ..spreadsheet import BOOKING_COLUMNS, SUBSCRIBER_COLUMNS, booking_row, subscriber_row
from .export import export_bundle

CLIENT_COLUMNS = ("client", "name", "email", "phone", "visits", "no_shows", "first", "last")
MEDIA_COLUMNS = ("file", "description", "width", "height", "original_name", "uploaded_at")

README = """{name}: export of {when} (UTC), from Meridian.

bundle/     the site: settings, locations, hours, services, team, posts, FAQ and
            redirects, as a Meridian bundle (tenant.toml + posts/*.md + static/).
            `flask --app wsgi tenants load bundle` recreates the clinic.
data/       bookings.csv, clients.csv, subscribers.csv (UTF-8, comma-separated).
media/      every photo of the media library, with media.csv describing each.

Reasons for visit and desk notes are not in this export.
"""


def bookings_csv(tenant: Tenant) -> tuple[str, int]:
    rows = db.session.scalars(
        select(Booking)
        .where(Booking.tenant_id == tenant.id)
        .options(
            joinedload(Booking.location),
            joinedload(Booking.practitioner),
            joinedload(Booking.service),
        )
        .order_by(Booking.starts_at, Booking.id)
    ).all()
    return spreadsheet.table(BOOKING_COLUMNS, (booking_row(b) for b in rows)), len(rows)


def clients_csv(tenant: Tenant) -> tuple[str, int]:
    people = sorted(all_clients(tenant), key=lambda c: c.id)
    table = [
        (
            c.id,
            c.name,
            c.email,
            c.phone,
            len(c.visits),
            c.no_shows,
            min(b.starts_at for b in c.bookings),
            c.last,
        )
        for c in people
    ]
    return spreadsheet.table(CLIENT_COLUMNS, table), len(people)


def subscribers_csv(tenant: Tenant) -> tuple[str, int]:
    rows = db.session.scalars(
        select(Subscriber).where(Subscriber.tenant_id == tenant.id).order_by(Subscriber.id)
    ).all()
    return spreadsheet.table(SUBSCRIBER_COLUMNS, (subscriber_row(s) for s in rows)), len(rows)


def _media(tenant: Tenant, archive: zipfile.ZipFile) -> int:
    """Every library photo's widest copy (a copy missing from storage is listed, empty)."""
    items = db.session.scalars(
        select(MediaItem).where(MediaItem.tenant_id == tenant.id).order_by(MediaItem.id)
    ).all()
    table = []
    backend = storage()
    for item in items:
        data = backend.get(item.storage_keys()[-1]) if item.variants else None
        name = f"{item.id}-{item.token}.webp" if data is not None else ""
        if data is not None:
            archive.writestr(f"media/{name}", data)
        table.append((name, item.alt, item.width, item.height, item.filename, item.created_at))
    archive.writestr("media/media.csv", spreadsheet.table(MEDIA_COLUMNS, table))
    return len(items)


def write_archive(tenant: Tenant, out: IO[bytes]) -> dict[str, int]:
    """Write the clinic's export ZIP into `out`; what it holds, counted (for the audit)."""
    counts: dict[str, int] = {}
    with (
        tempfile.TemporaryDirectory(prefix="meridian-export-") as work,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        folder = Path(work) / "bundle"
        written = export_bundle(tenant, folder)
        counts["posts"] = sum(1 for path in written if path.parent.name == "posts")
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"bundle/{path.relative_to(folder).as_posix()}")
        for name, build in (
            ("bookings", bookings_csv),
            ("clients", clients_csv),
            ("subscribers", subscribers_csv),
        ):
            text, counts[name] = build(tenant)
            archive.writestr(f"data/{name}.csv", text)
        counts["photos"] = _media(tenant, archive)
        archive.writestr(
            "README.txt", README.format(name=tenant.name, when=spreadsheet.text(utcnow()))
        )
    return counts
