"""Drills: a private production stack (its own PostgreSQL and Redis on free loopback
ports, so restarting or stopping them touches nobody else), started once per run.

Run with `make drills` (= pytest -m drill -s); CI runs them on every submission. Each
drill is bounded in time and prints its figures as `DRILL <name>: …` lines, which are
also appended to test-artifacts/drills.txt.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from stack import Stack
from stack.services import free_port

from .client import Client, free_starts

ROOT = Path(__file__).resolve().parents[2]
HOSTS = ("zak-clinic.localhost", "acute-acupuncture.localhost")


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        pytest.fail("drills need nginx (apt-get install nginx-light)")
    run = Path(tempfile.mkdtemp(prefix="meridian-drill-"))
    run.chmod(0o755)  # PostgreSQL (as the postgres user) lives inside
    the_stack = Stack(
        run=run,
        https_port=free_port(),
        http_port=free_port(),
        app_ports=(free_port(), free_port()),
        private=True,
        database="meridian_drill",
        smtp_delay=0.05,
        extra_env={
            "MAIL_LEASE_SECONDS": "3",
            "BOOKING_RATE_LIMIT": "300 per minute",
        },
    )
    the_stack.up()
    try:
        yield the_stack
    finally:
        the_stack.down()
        shutil.rmtree(run, ignore_errors=True)


@pytest.fixture
def client(stack: Stack):
    made: list[Client] = []

    def make(host: str = HOSTS[0]) -> Client:
        made.append(Client(host, stack.https_port, str(stack.ca)))
        return made[-1]

    yield make
    for one in made:
        one.close()


class Slots:
    """Free booking times handed out once each, so drills never fight over them."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.pool: list[tuple[str, str, str]] = []
        self.lock = threading.Lock()

    def take(self, n: int) -> list[tuple[str, str, str]]:
        with self.lock:
            if len(self.pool) < n:
                walker = Client(HOSTS[0], self.stack.https_port, str(self.stack.ca), timeout=30)
                found = free_starts(walker, 600, days=30)
                walker.close()
                used = set(self.pool)
                # Every other time: a 15-minute service plus its buffer blocks the next.
                self.pool = [s for s in found[::2] if s not in used]
            taken, self.pool = self.pool[:n], self.pool[n:]
            return taken


@pytest.fixture(scope="session")
def slots(stack: Stack) -> Slots:
    return Slots(stack)


@pytest.fixture(scope="session")
def sql(stack: Stack):
    """`sql("SELECT …", params)` -> rows, on the stack's own database."""
    import psycopg

    def run(query: str, params: tuple = ()) -> list[tuple]:
        dsn = f"host=127.0.0.1 port={stack.pg_port} user=postgres dbname={stack.database}"
        autocommit = query.lstrip().upper().startswith(("CREATE DATABASE", "DROP DATABASE"))
        with psycopg.connect(dsn, connect_timeout=5, autocommit=autocommit) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    return run


@pytest.fixture(scope="session")
def report():
    out = ROOT / "test-artifacts"

    def say(name: str, **figures: object) -> None:
        line = f"DRILL {name}: " + ", ".join(f"{k}={v}" for k, v in figures.items())
        print(line, flush=True)
        out.mkdir(exist_ok=True)
        with open(out / "drills.txt", "a") as log:
            log.write(line + "\n")

    return say


@pytest.fixture(autouse=True)
def _stack_whole(stack: Stack) -> Iterator[None]:
    """Each drill starts, and leaves, every part of the stack running."""
    for proc in stack.procs.values():
        if not proc.alive():
            proc.start()
    yield
    for proc in stack.procs.values():
        if not proc.alive():
            proc.start()
