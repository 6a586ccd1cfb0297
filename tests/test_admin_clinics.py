"""The admin console: overview, a clinic's domains (verified through a DNS server of our own
on loopback), suspend and resume with e-mails held."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from dnslib import QTYPE, RR, TXT
from dnslib.server import BaseResolver, DNSServer
from sqlalchemy import select

from meridian import domains
from meridian.extensions import db
from meridian.models import AuditEvent, Domain, OutboxMessage, Tenant, User
from meridian.outbox import send_due

from .factories import row_counts


class Zone(BaseResolver):
    """Answers TXT questions from a dict the test fills in; nothing else exists."""

    def __init__(self) -> None:
        self.txt: dict[str, list[str]] = {}

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".")
        if request.q.qtype == QTYPE.TXT:
            for value in self.txt.get(name, []):
                reply.add_answer(RR(name, QTYPE.TXT, rdata=TXT(value), ttl=60))
        return reply


@pytest.fixture
def dns_zone(make_app) -> Iterator[tuple[Zone, object]]:
    zone = Zone()
    server = DNSServer(zone, address="127.0.0.1", port=0)
    port = server.server.server_address[1]
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield zone, make_app(DNS_RESOLVER=f"127.0.0.1:{port}", DNS_TIMEOUT_SECONDS=2)
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def clinic(make_tenant):
    return make_tenant("clinic-a")


def flashed(response) -> str:
    return response.text


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Harbour-Physio.co.NZ.", "harbour-physio.co.nz"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("  www.clinic.example ", "www.clinic.example"),
    ],
)
def test_hostnames_are_stored_in_one_form(raw, stored):
    assert domains.normalise_hostname(raw) == stored


@pytest.mark.parametrize(
    "raw",
    [
        "https://clinic.example",
        "clinic.example/blog",
        "clinic.example:8080",
        "localhost",
        "192.168.1.10",
        "-bad-.example",
        "a" * 64 + ".example",
        "clinic..example",
        "",
        "user@clinic.example",
    ],
)
def test_what_is_not_a_clinic_domain_is_refused(raw):
    with pytest.raises(domains.DomainError):
        domains.normalise_hostname(raw)


def test_overview_lists_clinics_outbox_and_activity(clinic, admin_client):
    client = admin_client()
    page = client.get("/admin/")
    assert page.status_code == 200
    assert f'href="/admin/clinics/{clinic.id}"' in page.text
    assert "0 failed" in page.text


def test_a_new_domain_serves_only_once_its_dns_record_is_verified(
    app, clinic, admin_client, client_for, dns_zone
):
    zone, dns_app = dns_zone
    client = admin_client()
    client.application = dns_app
    added = client.post(
        f"/admin/clinics/{clinic.id}/domains",
        data={"csrf_token": client.csrf, "hostname": "Clinic-A.example"},
        follow_redirects=True,
    )
    assert "clinic-a.example is added" in added.text
    match = re.search(r"value <code>(meridian-verify=[^<]+)</code>", added.text)
    assert match, added.text
    value = match.group(1)
    with app.app_context():
        domain = db.session.scalars(
            select(Domain).where(Domain.hostname == "clinic-a.example")
        ).one()
    assert client_for("clinic-a.example").get("/").status_code == 404  # pending: not served

    verify = f"/admin/clinics/{clinic.id}/domains/{domain.id}/verify"
    zone.txt["_meridian-challenge.clinic-a.example"] = ["meridian-verify=someone-else"]
    missing = client.post(verify, data={"csrf_token": client.csrf}, follow_redirects=True)
    assert "was not found yet" in missing.text
    assert client_for("clinic-a.example").get("/").status_code == 404

    zone.txt["_meridian-challenge.clinic-a.example"].append(value)
    done = client.post(verify, data={"csrf_token": client.csrf}, follow_redirects=True)
    assert "is verified" in done.text
    assert client_for("clinic-a.example").get("/").status_code == 200

    primary = client.post(
        f"/admin/clinics/{clinic.id}/domains/{domain.id}/primary",
        data={"csrf_token": client.csrf},
        follow_redirects=True,
    )
    assert "now the primary domain" in primary.text
    with app.app_context():
        assert db.session.get(Tenant, clinic.id).primary_host == "clinic-a.example"
        actions = list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.tenant_id == clinic.id)
                .order_by(AuditEvent.id)
            )
        )
    assert actions == [
        "domain.added",
        "domain.verify_failed",
        "domain.verified",
        "domain.primary",
    ]


def test_a_pending_domain_cannot_become_primary_and_the_primary_cannot_go(
    app, clinic, admin_client
):
    client = admin_client()
    with app.app_context():
        tenant = db.session.get(Tenant, clinic.id)
        pending = domains.add_pending(tenant, "new.clinic-a.example")
        db.session.commit()
        pending_id = pending.id
        primary_id = next(d.id for d in tenant.domains if d.is_primary)
    before = row_counts(app)
    refused = client.post(
        f"/admin/clinics/{clinic.id}/domains/{pending_id}/primary",
        data={"csrf_token": client.csrf},
        follow_redirects=True,
    )
    assert "Verify the domain before making it the primary one." in refused.text
    kept = client.post(
        f"/admin/clinics/{clinic.id}/domains/{primary_id}/remove",
        data={"csrf_token": client.csrf},
        follow_redirects=True,
    )
    assert "Choose another primary domain" in kept.text
    assert row_counts(app) == before


def test_a_domain_in_use_anywhere_is_refused(app, make_tenant, clinic, admin_client):
    other = make_tenant("clinic-b")
    client = admin_client()
    before = row_counts(app)
    for taken in (other.primary_host, other.primary_host.upper() + "."):
        response = client.post(
            f"/admin/clinics/{clinic.id}/domains",
            data={"csrf_token": client.csrf, "hostname": taken},
        )
        assert response.status_code == 400
        assert "already in use on Meridian" in response.text
        assert 'value="' + taken + '"' in response.text  # what was typed is kept
    assert row_counts(app) == before


def test_a_domain_of_another_clinic_is_not_reachable_through_this_one(
    app, make_tenant, clinic, admin_client
):
    other = make_tenant("clinic-b")
    with app.app_context():
        other_domain = db.session.scalars(select(Domain).where(Domain.tenant_id == other.id)).one()
    client = admin_client()
    before = row_counts(app)
    response = client.post(
        f"/admin/clinics/{clinic.id}/domains/{other_domain.id}/remove",
        data={"csrf_token": client.csrf},
    )
    assert response.status_code == 404
    assert row_counts(app) == before


def test_suspend_needs_a_reason_then_holds_the_site_and_its_mail(
    app, clinic, admin_client, client_for, make_member
):
    owner = make_member(clinic, "owner")
    client = admin_client()
    with app.app_context():
        db.session.add(
            OutboxMessage(
                tenant_id=clinic.id,
                kind="test",
                recipient="ann@example.com",
                subject="Held",
                body_text="Held while suspended.",
                idempotency_key="held-test",
            )
        )
        db.session.commit()
    no_reason = client.post(f"/admin/clinics/{clinic.id}/suspend", data={"csrf_token": client.csrf})
    assert no_reason.status_code == 400
    assert "Say why the clinic is suspended." in no_reason.text
    assert client_for(clinic).get("/").status_code == 200

    client.post(
        f"/admin/clinics/{clinic.id}/suspend",
        data={"csrf_token": client.csrf, "reason": "Unpaid invoices"},
    )
    assert client_for(clinic).get("/").status_code == 503
    assert client_for(clinic).get("/studio/sign-in").status_code == 503
    with app.app_context():
        assert db.session.get(User, owner.id).session_version == owner.session_version + 1
    with app.app_context():
        assert send_due()["sent"] == 0
        assert db.session.scalars(select(OutboxMessage.status)).one() == "queued"
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "clinic.suspended")
        ).one()
        assert event.tenant_id == clinic.id and event.details == {"reason": "Unpaid invoices"}

    client.post(f"/admin/clinics/{clinic.id}/resume", data={"csrf_token": client.csrf})
    assert client_for(clinic).get("/").status_code == 200
    with app.app_context():
        assert send_due()["sent"] == 1
        assert db.session.scalars(select(OutboxMessage.status)).one() == "sent"


def test_the_migration_keeps_existing_domains_serving(tmp_path):
    """Domains that existed before verification did (bundles) arrive verified."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from meridian import create_app

    from .factories import ROOT

    url = f"sqlite:///{tmp_path / 'before.sqlite3'}"
    old = create_app({"SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with old.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="a626e27242bd")
        db.session.execute(
            text(
                "INSERT INTO tenant (id, slug, name, tagline, about_md, about_html, disclaimer,"
                " cta, locale, currency, country, brand_primary, brand_accent, social, status,"
                " content_version, created_at, updated_at)"
                " VALUES (1, 'old', 'Old Clinic', '', '', '', '', '', 'en_GB', 'GBP', 'GB',"
                " '#000000', '#000000', '{}', 'active', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        db.session.execute(
            text(
                "INSERT INTO domain (tenant_id, hostname, is_primary) VALUES (1, 'old.example', 1)"
            )
        )
        db.session.commit()
        upgrade(directory=str(ROOT / "migrations"))
        row = db.session.execute(text("SELECT verified_at, verification_token FROM domain")).one()
        assert row[0] is not None and row[1] == ""
        db.engine.dispose()


def test_a_suspended_clinics_bookings_and_emails_are_kept_and_held(
    app, demo, admin_client, client_for, next_free
):
    """A real booking (its row, slot claims and confirmation e-mail) survives a
    suspension untouched: the e-mail waits, unsent, and goes out on resume."""
    from meridian.backup import fingerprint
    from meridian.booking.service import place_booking
    from meridian.models import Booking, Location, Service

    clinic = demo["zak-clinic"]
    with app.app_context():
        service = db.session.scalars(
            select(Service).filter_by(tenant_id=clinic.id, online_bookable=True)
        ).first()
    start = next_free(clinic, service)
    with app.test_request_context(base_url=f"http://{clinic.primary_host}"):
        place_booking(
            db.session.get(Tenant, clinic.id),
            db.session.get(Location, clinic.locations[0].id),
            db.session.get(Service, service.id),
            start,
            name="Ada Lovelace",
            email="ada@example.com",
            phone="+442079460018",
        )

    def kept() -> dict:
        with app.app_context(), db.engine.connect() as conn:
            prints = fingerprint(conn)["zak-clinic"]
        return {table: prints.get(table) for table in ("booking", "slot_claim", "outbox_message")}

    before = kept()
    assert before["booking"][0] == 1 and before["outbox_message"][0] >= 1
    client = admin_client()
    client.post(
        f"/admin/clinics/{clinic.id}/suspend",
        data={"csrf_token": client.csrf, "reason": "Moving to a new address"},
    )
    assert client_for(clinic).get("/book").status_code == 503
    with app.app_context():
        assert send_due()["sent"] == 0
    assert kept() == before  # every booking, claim and e-mail row as it was
    with app.app_context():
        assert db.session.scalars(select(Booking.status)).one() == "confirmed"
        assert set(db.session.scalars(select(OutboxMessage.status))) == {"queued"}

    client.post(f"/admin/clinics/{clinic.id}/resume", data={"csrf_token": client.csrf})
    with app.app_context():
        assert send_due()["sent"] == before["outbox_message"][0]
        assert set(db.session.scalars(select(OutboxMessage.status))) == {"sent"}
        assert db.session.scalars(select(Booking.status)).one() == "confirmed"
