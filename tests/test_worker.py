"""The worker: its scheduler loop, scheduled publishing with no visitor, outbox claims
that skip rows another worker holds, and a clean stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from meridian import worker
from meridian.extensions import db
from meridian.models import OutboxMessage, Tenant, utcnow
from meridian.outbox import claim_due

ROOT = Path(__file__).resolve().parents[1]


def test_a_due_post_bumps_the_version_with_no_visitor(app, make_tenant, make_post):
    tenant = make_tenant()
    due = utcnow() + timedelta(seconds=1)
    make_post(tenant, "soon", published_at=due)
    with app.app_context():
        before = db.session.get(Tenant, tenant.id)
        version, scheduled = before.content_version, before.next_publish_at
    assert scheduled is not None
    time.sleep(max(0.0, (due - utcnow()).total_seconds()) + 0.1)
    with app.app_context():
        tasks = [t for name, t in worker._TASKS.items() if name == "publish"]
        worker.Worker(tasks).tick()
        after = db.session.get(Tenant, tenant.id)
        assert after.content_version == version + 1
        assert after.next_publish_at is None
        worker.Worker(tasks).tick()  # nothing more is due: no further bump
        assert db.session.get(Tenant, tenant.id).content_version == version + 1


def test_a_failing_task_is_logged_and_the_others_still_run(app, caplog):
    ran: list[str] = []

    def broken():
        raise RuntimeError("boom")

    tasks = [worker.Task("broken", 60, broken), worker.Task("fine", 60, lambda: ran.append("x"))]
    with app.app_context():
        wait = worker.Worker(tasks).tick()
    assert ran == ["x"]
    assert "worker task broken failed" in caplog.text
    assert 50 < wait <= 60


def test_retention_hooks_run_with_the_retention_task(app, monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(worker, "_RETENTION_HOOKS", [])
    worker.retention_hook(lambda: calls.append(1))
    with app.app_context():
        worker.Worker([worker._TASKS["retention"]]).tick()
    assert calls == [1]


@pytest.mark.postgres
def test_outbox_claims_skip_rows_another_worker_holds(
    app, database_url, make_tenant, make_service, next_free, book_via_http
):
    if not database_url.startswith("postgresql"):
        pytest.skip("needs TEST_DATABASE_URL=postgresql://… (runs in CI's PostgreSQL pass)")
    tenant = make_tenant()
    service = make_service(tenant)
    start = next_free(tenant, service)
    assert book_via_http(tenant, service, start).status_code == 303  # two e-mails queued
    with app.app_context():
        ids = sorted(db.session.scalars(select(OutboxMessage.id)))
    assert len(ids) == 2
    other = create_engine(database_url)
    with other.connect() as conn:  # another worker, mid-claim, holding the first row
        conn.execute(text("BEGIN"))
        conn.execute(
            text("SELECT id FROM outbox_message WHERE id = :id FOR UPDATE"), {"id": ids[0]}
        )
        with app.app_context():
            began = time.monotonic()
            assert claim_due(10, utcnow()) == [ids[1]]  # skipped, not waited for
            assert time.monotonic() - began < 5
        conn.execute(text("ROLLBACK"))
    other.dispose()
    with app.app_context():
        assert claim_due(10, utcnow()) == [ids[0]]
        assert claim_due(10, utcnow()) == []  # both now leased


def test_the_worker_command_stops_cleanly_on_sigterm(tmp_path):
    env = {
        **os.environ,
        "MERIDIAN_INSTANCE": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'w.sqlite3'}",
        "SECRET_KEY": "worker-test-secret-0123456789abcdef",
        "MAIL_BACKEND": "file",
    }
    env.pop("REDIS_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    process = subprocess.Popen(
        [*flask, "worker"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 30
        line = process.stderr.readline()
        while "worker: running" not in line and time.monotonic() < deadline:
            line = process.stderr.readline()
        assert "outbox/1s" in line and "publish/1s" in line and "retention" in line
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert "worker: stopped" in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
