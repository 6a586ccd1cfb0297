"""`flask --app wsgi backup` and `restore`: the database, a media manifest, and proof.

A backup is a folder `<BACKUP_DIR>/<UTC time>/` holding
* `database.dump`   `pg_dump --format=custom` (PostgreSQL) or `database.sqlite3` (SQLite,
                    through SQLite's online backup API: consistent while the app runs);
* `media.json`      every stored media copy the database refers to, per clinic, with
                    whether storage had it at backup time (the files themselves live in
                    the bucket: keep it versioned, see deploy/README.md);
* `meta.json`       the schema revision and a fingerprint of every clinic's rows (count
                    and SHA-256 per table), taken from the same snapshot as the dump.

`restore` loads a backup into an EMPTY database (never over live data) and recomputes
the fingerprint there: it says "verified" only if every clinic's rows are identical.
That is the restore drill (tests/drills/test_backup_drill.py does it on PostgreSQL).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import Connection, create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from .extensions import db

SKIP = {"alembic_version"}


def fingerprint(conn: Connection) -> dict[str, dict[str, list]]:
    """{clinic slug or "(platform)": {table: [rows, sha256]}} over every table."""
    present = set(inspect(conn).get_table_names())
    tables = [t for t in db.metadata.sorted_tables if t.name in present - SKIP]
    result: dict[str, dict[str, list]] = {}
    slugs = dict(conn.execute(text("SELECT id, slug FROM tenant")).all())
    for table in tables:
        order = list(table.primary_key.columns) or list(table.columns)
        owner = (
            "tenant_id" if "tenant_id" in table.c else ("id" if table.name == "tenant" else None)
        )
        groups: dict[str, Any] = {}
        counts: dict[str, int] = {}
        for row in conn.execute(select(table).order_by(*order)):
            values = row._mapping
            clinic = slugs.get(values[owner], "(gone)") if owner else "(platform)"
            digest = groups.setdefault(clinic, hashlib.sha256())
            digest.update(repr(tuple(_plain(v) for v in values.values())).encode())
            counts[clinic] = counts.get(clinic, 0) + 1
        for clinic, digest in groups.items():
            result.setdefault(clinic, {})[table.name] = [counts[clinic], digest.hexdigest()]
    return result


def _plain(value):
    """The same value whichever engine read it (aware datetimes in UTC, JSON sorted)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return value


def _media_manifest() -> dict[str, list[dict]]:
    from .media.storage import storage
    from .models import MediaItem, Tenant

    manifest: dict[str, list[dict]] = {}
    backend = storage()
    rows = db.session.execute(
        select(MediaItem, Tenant.slug)
        .join(Tenant, Tenant.id == MediaItem.tenant_id)
        .order_by(MediaItem.id)
        .execution_options(all_tenants=True)
    )
    for item, slug in rows:
        for key in item.storage_keys():
            manifest.setdefault(slug, []).append({"key": key, "stored": backend.exists(key)})
    return manifest


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    parts = make_url(url)
    args = ["--host", parts.host or "127.0.0.1", "--port", str(parts.port or 5432)]
    args += ["--username", parts.username or "postgres", "--dbname", parts.database or ""]
    env = {**os.environ, "PGPASSWORD": parts.password or ""}
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise click.ClickException(f"{name} not found: apt-get install postgresql-client")
    return found


def make_backup(folder: Path) -> Path:
    """Write a backup into a new folder under `folder`; return it."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    target = folder / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target.mkdir(parents=True, exist_ok=False)
    engine = db.engine
    if engine.dialect.name == "postgresql":
        args, env = _pg_args(url)
        # One snapshot for the dump and the fingerprint: export it, dump from it.
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            conn.begin()
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            subprocess.run(  # noqa: S603  (our arguments, from our configuration)
                [_tool("pg_dump"), "--format=custom", "--no-owner", f"--snapshot={snapshot}", *args,
                 "--file", str(target / "database.dump")],
                env=env, check=True, capture_output=True,
            )  # fmt: skip
            prints = fingerprint(conn)
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    else:
        source = sqlite3.connect(make_url(url).database)
        copy = sqlite3.connect(target / "database.sqlite3")
        source.backup(copy)
        source.close()
        copy.close()
        snap = create_engine(f"sqlite:///{target / 'database.sqlite3'}")
        with snap.connect() as conn:
            prints = fingerprint(conn)
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        snap.dispose()
    (target / "media.json").write_text(json.dumps(_media_manifest(), indent=1))
    meta = {"created_at": datetime.now(UTC).isoformat(), "revision": revision, "rows": prints}
    (target / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True))
    return target


def restore_backup(backup: Path, url: str) -> dict:
    """Load `backup` into the empty database at `url`; return the compared fingerprints."""
    meta = json.loads((backup / "meta.json").read_text())
    engine = create_engine(url)
    try:
        if inspect(engine).get_table_names():
            raise click.ClickException("the target database is not empty: restore into a new one")
        if engine.dialect.name == "postgresql":
            args, env = _pg_args(url)
            subprocess.run(  # noqa: S603
                [_tool("pg_restore"), "--no-owner", "--exit-on-error", *args, str(backup / "database.dump")],
                env=env, check=True, capture_output=True,
            )  # fmt: skip
        else:
            engine.dispose()  # let go of the empty file before replacing it
            shutil.copyfile(backup / "database.sqlite3", make_url(url).database)
        with engine.connect() as conn:
            restored = fingerprint(conn)
    finally:
        engine.dispose()
    return {"expected": meta["rows"], "restored": restored}


@click.command("backup")
@click.option("--to", "folder", type=click.Path(path_type=Path), default=None,
              help="Folder for backups (default BACKUP_DIR or <instance>/backups).")  # fmt: skip
@with_appcontext
def backup_command(folder: Path | None) -> None:
    """Dump the database and write the media manifest and the row fingerprint."""
    folder = folder or Path(
        current_app.config.get("BACKUP_DIR") or Path(current_app.instance_path) / "backups"
    )
    target = make_backup(folder)
    meta = json.loads((target / "meta.json").read_text())
    rows = sum(n for tables in meta["rows"].values() for n, _ in tables.values())
    click.echo(f"backup: {target} ({len(meta['rows'])} owners, {rows} rows)")


@click.command("restore")
@click.argument("backup", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--into", "url", required=True, help="URL of an EMPTY database to restore into.")
@with_appcontext
def restore_command(backup: Path, url: str) -> None:
    """Restore BACKUP into an empty database and verify every clinic's rows."""
    from .config import normalise_database_url

    compared = restore_backup(backup, normalise_database_url(url))
    expected, restored = compared["expected"], compared["restored"]
    differing = sorted(
        f"{clinic}/{table}"
        for clinic in set(expected) | set(restored)
        for table in set(expected.get(clinic, {})) | set(restored.get(clinic, {}))
        if expected.get(clinic, {}).get(table) != restored.get(clinic, {}).get(table)
    )
    if differing:
        raise click.ClickException(f"restored rows differ: {', '.join(differing)}")
    rows = sum(n for tables in restored.values() for n, _ in tables.values())
    click.echo(f"restore: verified {len(restored)} owners, {rows} rows identical")


def register(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
