"""Clients, built from bookings: one client per person, matched by e-mail (however it
is written: `booking.identity`) or phone (E.164). A client's id is the id of their
first booking, so a link to them needs nothing personal in the URL.

Export (a ZIP of JSON and CSV: every booking and every e-mail about them) and erasure
(name, contact details, reasons and notes removed, e-mails deleted, future bookings
cancelled; bookings keep only what statistics need: when, what, with whom, where, state) are one action each, audited.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, select, update

from ..booking.identity import canonical_email
from ..extensions import db
from ..models import Booking, NewClientClaim, OutboxMessage, SlotClaim, Tenant, utcnow
from ..spreadsheet import records, text
from ..tenancy import current_tenant, tenant_select

ERASED_NAME = "Erased client"


def is_erased(booking: Booking) -> bool:
    return booking.erased_at is not None


@dataclass
class Client:
    id: int
    name: str = ""
    email: str = ""
    phone: str = ""
    bookings: list[Booking] = field(default_factory=list)

    @property
    def no_shows(self) -> int:
        return sum(1 for b in self.bookings if b.attendance == "no_show")

    @property
    def visits(self) -> list[Booking]:
        """Appointments (a moved booking counts once, at its new time)."""
        return [b for b in self.bookings if b.status != "rescheduled"]

    @property
    def last(self) -> datetime:
        return max(b.starts_at for b in self.bookings)

    def matches(self, query: str) -> bool:
        query = query.strip().lower()
        digits = "".join(ch for ch in query if ch.isdigit())
        return (
            query in self.name.lower()
            or query in self.email.lower()
            or (len(digits) >= 4 and digits in self.phone)
        )


def mailbox_of(booking: Booking) -> str:
    try:
        return canonical_email(booking.client_email) if booking.client_email else ""
    except Exception:  # noqa: BLE001  (an old or odd address still groups by itself)
        return booking.client_email.lower()


def all_clients(tenant: Tenant | None = None) -> list[Client]:
    """Every client of the clinic (the request's, or `tenant` for the admin console's
    export), most recent first (erased bookings are nobody's)."""
    tenant = tenant or current_tenant()
    bookings = list(
        db.session.scalars(
            select(Booking)
            .where(Booking.tenant_id == tenant.id, Booking.erased_at.is_(None))
            .order_by(Booking.id)
        )
    )
    parent: dict[int, int] = {b.id: b.id for b in bookings}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: dict[str, int] = {}
    for booking in bookings:
        for key in (f"e:{mailbox_of(booking)}", f"p:{booking.client_phone}"):
            if key in ("e:", "p:"):
                continue
            if key in seen:
                a, b = root(seen[key]), root(booking.id)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                seen[key] = booking.id
    clients: dict[int, Client] = {}
    for booking in bookings:  # in id order: the latest booking's details win
        client = clients.setdefault(root(booking.id), Client(id=root(booking.id)))
        client.bookings.append(booking)
        client.name = booking.client_name
        client.email = booking.client_email or client.email
        client.phone = booking.client_phone or client.phone
    return sorted(clients.values(), key=lambda c: c.last, reverse=True)


def find(booking_id: int) -> Client | None:
    """The client one of whose bookings is `booking_id` (their id: the first's)."""
    for client in all_clients():
        if any(b.id == booking_id for b in client.bookings):
            client.bookings.sort(key=lambda b: b.starts_at, reverse=True)
            return client
    return None


def _emails(client: Client) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            tenant_select(
                OutboxMessage, OutboxMessage.booking_id.in_([b.id for b in client.bookings])
            ).order_by(OutboxMessage.id)
        )
    )


BOOKING_FIELDS = (
    "reference",
    "status",
    "attendance",
    "starts_at",
    "ends_at",
    "service",
    "practitioner",
    "location",
    "client_name",
    "client_email",
    "client_phone",
    "reason",
    "consent_at",
    "created_at",
    "cancelled_at",
    "cancel_note",
)
EMAIL_FIELDS = (
    "booking",
    "kind",
    "recipient",
    "subject",
    "status",
    "created_at",
    "sent_at",
    "body_text",
)


def _booking_row(b: Booking) -> dict[str, str]:
    row = {name: text(getattr(b, name, None)) for name in BOOKING_FIELDS}
    row |= {
        "service": b.service.name,
        "practitioner": b.practitioner.name,
        "location": b.location.name,
    }
    return row


#: Shown instead of the address of an e-mail sent to the clinic (its staff's own
#: addresses are not the client's data).
TO_THE_CLINIC = "(the clinic)"


def email_rows(
    messages: list[OutboxMessage], bookings: list[Booking], own: set[str] | None = None
) -> list[dict[str, str]]:
    """The e-mails as rows for the client's copy: those sent to the client (to one of
    `own` addresses, default: their bookings') with their address, the clinic's notices
    to "(the clinic)"."""
    by_id = {b.id: b.reference for b in bookings}
    own = {a.lower() for a in (own or set())} | {b.client_email.lower() for b in bookings}
    own.discard("")
    return [
        {
            "booking": by_id.get(m.booking_id, ""),
            "kind": m.kind,
            "recipient": m.recipient if m.recipient.lower() in own else TO_THE_CLINIC,
            "subject": m.subject,
            "status": m.status,
            "created_at": text(m.created_at),
            "sent_at": text(m.sent_at),
            "body_text": m.body_text,
        }
        for m in messages
    ]


def booking_rows(client: Client) -> list[dict[str, str]]:
    return [_booking_row(b) for b in sorted(client.bookings, key=lambda b: b.id)]


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def export(client: Client) -> bytes:
    """Everything held about the client: a ZIP of client.json, bookings.csv, emails.csv."""
    bookings = booking_rows(client)
    emails = email_rows(_emails(client), client.bookings)
    document = {
        "clinic": current_tenant().name,
        "exported_at": text(utcnow()),
        "client": {"name": client.name, "email": client.email, "phone": client.phone},
        "bookings": bookings,
        "emails": emails,
    }
    return zip_of(
        {
            "client.json": json.dumps(document, indent=2, ensure_ascii=False),
            "bookings.csv": records(bookings, BOOKING_FIELDS),
            "emails.csv": records(emails, EMAIL_FIELDS),
        }
    )


def delete_emails(messages: list[OutboxMessage]) -> None:
    """Delete e-mails for good: their rows and the dev mail files written from them."""
    folder = Path(current_app.instance_path) / "mail"
    for message in messages:
        for path in folder.glob(f"*-{message.id}-{message.kind}.eml"):
            path.unlink(missing_ok=True)
    if messages:
        db.session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.tenant_id == messages[0].tenant_id,
                OutboxMessage.id.in_([m.id for m in messages]),
            )
        )


def erase(client: Client, now: datetime | None = None) -> dict[str, int]:
    """Remove the client's details, reasons and notes from their bookings, delete every
    e-mail about them (rows and dev mail files), cancel their future bookings (freeing
    the time) and release their new-client claims. The caller audits and commits."""
    now = now or utcnow()
    tenant_id = current_tenant().id
    ids = [b.id for b in client.bookings]
    future = [b.id for b in client.bookings if b.status == "confirmed" and b.starts_at > now]
    messages = _emails(client)
    delete_emails(messages)
    db.session.execute(
        delete(NewClientClaim).where(
            NewClientClaim.tenant_id == tenant_id, NewClientClaim.booking_id.in_(ids)
        )
    )
    if future:
        db.session.execute(
            delete(SlotClaim).where(
                SlotClaim.tenant_id == tenant_id, SlotClaim.booking_id.in_(future)
            )
        )
        db.session.execute(
            update(Booking)
            .where(Booking.tenant_id == tenant_id, Booking.id.in_(future))
            .values(status="cancelled", cancelled_at=now)
            .execution_options(synchronize_session=False)
        )
    db.session.execute(
        update(Booking)
        .where(Booking.tenant_id == tenant_id, Booking.id.in_(ids))
        .values(
            client_name=ERASED_NAME,
            client_email="",
            client_phone="",
            reason="",
            cancel_note="",
            erased_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return {"bookings": len(ids), "emails": len(messages), "cancelled": len(future)}
