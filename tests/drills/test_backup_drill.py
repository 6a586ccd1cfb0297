"""The restore drill: back up the stack's live database (bookings from the other
drills included), restore into a fresh database, compare every clinic's rows."""

from __future__ import annotations

import json
import time

import pytest

pytestmark = pytest.mark.drill


def test_backup_and_restore_into_a_fresh_database(stack, sql, report):
    began = time.monotonic()
    made = stack.flask("backup", "--to", str(stack.run / "backups"))
    backed_up = time.monotonic() - began
    assert made.returncode == 0, made.stderr
    folder = sorted((stack.run / "backups").iterdir())[-1]
    meta = json.loads((folder / "meta.json").read_text())

    sql("DROP DATABASE IF EXISTS meridian_restored")
    sql("CREATE DATABASE meridian_restored")
    target = f"postgresql://postgres@127.0.0.1:{stack.pg_port}/meridian_restored"
    began = time.monotonic()
    restored = stack.flask("restore", str(folder), "--into", target, check=False)
    restore_seconds = time.monotonic() - began
    sql("DROP DATABASE IF EXISTS meridian_restored")

    clinics = [c for c in meta["rows"] if not c.startswith("(")]
    rows = sum(n for tables in meta["rows"].values() for n, _ in tables.values())
    report(
        "backup-restore",
        clinics=len(clinics),
        rows_compared=rows,
        bookings=sum(t.get("booking", [0])[0] for t in meta["rows"].values()),
        backup_seconds=f"{backed_up:.2f}",
        restore_and_verify_seconds=f"{restore_seconds:.2f}",
        dump_bytes=(folder / "database.dump").stat().st_size,
        verified="restore: verified" in restored.stdout,
    )
    assert restored.returncode == 0, restored.stderr + restored.stdout
    assert "restore: verified" in restored.stdout
    assert {"acute-acupuncture", "zak-clinic"} <= set(clinics)
