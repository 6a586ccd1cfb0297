"""`UTCDateTime` gives aware UTC datetimes whatever the backend and however the text
was written (SQLite keeps text: by the ORM, by raw SQL, with or without an offset)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import column, select, table, text

from meridian.extensions import db
from meridian.models.base import UTCDateTime

probe = table("probe", column("at", UTCDateTime()))


@pytest.fixture
def probe_table(ctx):
    db.session.execute(text("CREATE TEMPORARY TABLE probe (at TIMESTAMP WITH TIME ZONE)"))
    yield
    db.session.rollback()
    db.session.execute(text("DROP TABLE IF EXISTS probe"))
    db.session.commit()


def test_round_trip_is_aware_utc(probe_table) -> None:
    written = datetime(2026, 3, 29, 0, 59, 30, 123456, tzinfo=timezone(timedelta(hours=13)))
    db.session.execute(probe.insert().values(at=written))
    (read,) = db.session.execute(select(probe.c.at)).scalars()
    assert read == written and read.tzinfo is UTC and read.hour == 11


@pytest.mark.parametrize(
    "stored, expected",
    [
        ("2026-03-21 04:00:00", datetime(2026, 3, 21, 4, tzinfo=UTC)),
        ("2026-03-21 04:00:00.250000", datetime(2026, 3, 21, 4, 0, 0, 250000, tzinfo=UTC)),
        ("2026-03-21T16:00:00+12:00", datetime(2026, 3, 21, 4, tzinfo=UTC)),
    ],
)
def test_text_written_outside_the_orm(probe_table, stored: str, expected: datetime) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("text timestamps are how SQLite stores them; PostgreSQL has its own type")
    db.session.execute(text("INSERT INTO probe (at) VALUES (:at)"), {"at": stored})
    (read,) = db.session.execute(select(probe.c.at)).scalars()
    assert read == expected and read.tzinfo is UTC
