"""Outbox delivery against a real SMTP server, retries, the file backend, reminders."""

from __future__ import annotations

import email
import socket
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar
from sqlalchemy import select, update

from meridian.booking.reminders import queue_reminders
from meridian.extensions import db
from meridian.models import Booking, OutboxMessage, utcnow
from meridian.outbox import _claim, send_due


class Inbox:
    """An aiosmtpd handler that records messages and can refuse the first N."""

    def __init__(self, refuse: int = 0) -> None:
        self.refuse = refuse
        self.messages: list[email.message.Message] = []
        self.attempts = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        self.attempts += 1
        if self.attempts <= self.refuse:
            return "451 4.3.0 Try again later"
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(app, monkeypatch):
    def start(refuse: int = 0) -> Inbox:
        inbox = Inbox(refuse)
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        servers.append(controller)
        monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        return inbox

    servers: list[Controller] = []
    yield start
    for controller in servers:
        controller.stop()


@pytest.fixture
def one_booking(app, make_tenant, make_service, next_free, book_via_http):
    tenant = make_tenant()
    service = make_service(tenant)
    start = next_free(tenant, service)
    assert book_via_http(tenant, service, start, reason="private matter").status_code == 303
    return tenant, start


def visitor_mail(inbox: Inbox) -> list[email.message.Message]:
    return [m for m in inbox.messages if m["To"] == "ada@example.com"]


def test_visitor_email_arrives_once_with_an_ics_at_the_booked_instant(app, smtp, one_booking):
    tenant, start = one_booking
    inbox = smtp()
    with app.app_context():
        assert send_due() == {"sent": 2, "retry": 0, "failed": 0}
        assert send_due() == {"sent": 0, "retry": 0, "failed": 0}  # nothing sent twice
    mails = visitor_mail(inbox)
    assert len(mails) == 1 and len(inbox.messages) == 2
    mail = mails[0]
    assert "Clinic A" in mail["Subject"]
    parts = {part.get_content_type(): part for part in mail.walk()}
    calendar = Calendar.from_ical(parts["text/calendar"].get_payload(decode=True))
    event = calendar.walk("VEVENT")[0]
    assert event.decoded("dtstart") == start
    assert event.decoded("dtend") == start + timedelta(minutes=15)
    assert "1 High Street" in str(event["location"])
    assert str(event["uid"]).endswith("@clinic-a.test")
    text = parts["text/plain"].get_payload(decode=True).decode()
    assert "/book/cancel/" in text and "/book/reschedule/" in text
    for message in inbox.messages:
        assert "private matter" not in message.as_string()


def test_a_refusing_server_is_retried_with_backoff_and_delivers_once(app, smtp, one_booking):
    inbox = smtp(refuse=2)  # both first attempts (visitor and clinic) refused
    now = utcnow()
    with app.app_context():
        assert send_due(now=now) == {"sent": 0, "retry": 2, "failed": 0}
        rows = db.session.scalars(select(OutboxMessage)).all()
        assert all(r.status == "queued" and r.attempts == 1 for r in rows)
        assert all(r.next_attempt_at >= now + timedelta(seconds=60) for r in rows)
        assert "451" in rows[0].last_error
        assert send_due(now=now) == {"sent": 0, "retry": 0, "failed": 0}  # not yet due
        assert send_due(now=now + timedelta(minutes=2))["sent"] == 2
        assert send_due(now=now + timedelta(hours=1))["sent"] == 0
    assert len(visitor_mail(inbox)) == 1 and len(inbox.messages) == 2


def test_gives_up_after_max_attempts(app, smtp, one_booking, monkeypatch):
    smtp(refuse=100)
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    now = utcnow()
    with app.app_context():
        for hours in range(4):
            send_due(now=now + timedelta(hours=hours))
        statuses = set(db.session.scalars(select(OutboxMessage.status)))
        attempts = set(db.session.scalars(select(OutboxMessage.attempts)))
    assert statuses == {"failed"} and attempts == {3}
    result = app.test_cli_runner().invoke(args=["outbox", "status"])
    assert "failed" in result.output and "attempts=3" in result.output
    assert "private matter" not in result.output


def test_two_workers_never_send_one_message_twice(
    app, smtp, make_tenant, make_service, next_free, book_via_http
):
    tenant = make_tenant()
    service = make_service(tenant)
    for index in range(4):
        start = next_free(tenant, service, index * 4)
        email_addr = f"p{index}@example.com"
        assert (
            book_via_http(
                tenant, service, start, email=email_addr, phone=f"020 7946 00{index}5"
            ).status_code
            == 303
        )
    inbox = smtp()
    with app.app_context():
        first = db.session.scalars(select(OutboxMessage.id)).first()
        assert _claim(first, utcnow()) is True
        assert _claim(first, utcnow()) is False  # already claimed
        db.session.execute(update(OutboxMessage).values(status="queued", attempts=0))
        db.session.commit()

    def worker():
        with app.app_context():
            send_due()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [m["Message-ID"] for m in inbox.messages]
    assert len(ids) == 8 and len(set(ids)) == 8


def test_file_backend_writes_eml_files(app, one_booking):
    with app.app_context():
        send_due()
    folder = Path(app.instance_path) / "mail"
    files = list(folder.glob("*.eml"))
    assert files and any("Subject: Your appointment at Clinic A" in f.read_text() for f in files)


def test_reminders_are_queued_once_and_only_when_due(app, one_booking):
    tenant, start = one_booking
    with app.app_context():
        db.session.execute(update(Booking).values(created_at=start - timedelta(days=5)))
        db.session.commit()
        assert queue_reminders(24, now=start - timedelta(hours=30)) == 0  # not yet
        assert queue_reminders(24, now=start - timedelta(hours=20)) == 1
        assert queue_reminders(24, now=start - timedelta(hours=19)) == 0  # idempotent
        reminder = db.session.scalars(select(OutboxMessage).filter_by(kind="reminder")).one()
        assert (
            reminder.recipient == "ada@example.com" and "private matter" not in reminder.body_text
        )
    result = app.test_cli_runner().invoke(args=["reminders", "queue"])
    assert result.exit_code == 0 and "queued 0" in result.output


def test_a_message_erased_after_it_was_claimed_is_skipped(app, smtp, one_booking, monkeypatch):
    """Erasing a client (or deleting a clinic) may remove a row the worker has just
    claimed: the worker skips it and goes on, sending nothing."""
    from sqlalchemy import delete

    from meridian import outbox
    from meridian.models import OutboxMessage

    inbox = smtp()
    claim = outbox.claim_due

    def claim_then_erase(limit, now):
        claimed = claim(limit, now)
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(claimed)))
        db.session.commit()
        return claimed

    monkeypatch.setattr(outbox, "claim_due", claim_then_erase)
    with app.app_context():
        counts = send_due()
    assert counts == {"sent": 0, "retry": 0, "failed": 0, "gone": 2}
    assert inbox.messages == []
