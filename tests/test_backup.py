"""`flask backup` / `flask restore`: a restore into a fresh database has every clinic's
rows identical (the fingerprint says so), and restore never overwrites live data."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from meridian.extensions import db


@pytest.fixture
def fresh_url(database_url, tmp_path):
    """An empty database of the same engine as the tests' one."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    target = make_url(database_url)
    name = f"{target.database}_restore"
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield target.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_backup_then_restore_into_a_fresh_database_is_identical(
    app, demo, one_booking_each, tmp_path, fresh_url
):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["backup", "--to", str(tmp_path / "backups")])
    assert made.exit_code == 0, made.output
    folder = next((tmp_path / "backups").iterdir())
    meta = json.loads((folder / "meta.json").read_text())
    assert {"acute-acupuncture", "zak-clinic"} <= set(meta["rows"])
    assert meta["rows"]["zak-clinic"]["post"][0] == 4
    assert meta["rows"]["zak-clinic"]["booking"][0] == 1
    media = json.loads((folder / "media.json").read_text())
    # The demo clinics' pictures (hero and covers) are media-library items: all stored.
    assert set(media) == {"acute-acupuncture", "zak-clinic"}
    assert all(copy["stored"] for copies in media.values() for copy in copies)

    restored = runner.invoke(args=["restore", str(folder), "--into", fresh_url])
    assert restored.exit_code == 0, restored.output
    assert "restore: verified" in restored.output


def test_restore_refuses_a_database_that_is_not_empty(app, demo, tmp_path, database_url):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", "--to", str(tmp_path)]).exit_code == 0
    folder = next(tmp_path.iterdir())
    refused = runner.invoke(args=["restore", str(folder), "--into", database_url])
    assert refused.exit_code != 0 and "not empty" in refused.output


def test_a_damaged_restore_is_not_called_verified(app, demo, tmp_path, fresh_url, monkeypatch):
    from meridian import backup

    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", "--to", str(tmp_path / "b")]).exit_code == 0
    folder = next((tmp_path / "b").iterdir())
    real = backup.fingerprint

    def one_row_lost(conn):
        prints = real(conn)
        prints["zak-clinic"]["post"][0] -= 1
        return prints

    monkeypatch.setattr(backup, "fingerprint", one_row_lost)
    refused = runner.invoke(args=["restore", str(folder), "--into", fresh_url])
    assert refused.exit_code != 0 and "zak-clinic/post" in refused.output


@pytest.fixture
def one_booking_each(app, demo, next_free, book_via_http):
    from meridian.models import Service

    with app.app_context():
        service = db.session.scalars(
            db.select(Service).filter_by(tenant_id=demo["zak-clinic"].id).limit(1)
        ).one()
        db.session.expunge(service)
    start = next_free(demo["zak-clinic"], service)
    assert book_via_http(demo["zak-clinic"], service, start).status_code == 303
