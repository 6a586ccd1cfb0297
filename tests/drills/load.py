"""Steady load through nginx for the drills: readers and bookers in threads, bounded.

Every request is recorded (when, what, status, seconds); `summary()` turns them into
the figures a drill reports. A status of 0 means the connection failed.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from .client import Client, book

READ_PATHS = ("/", "/blog", "/faq", "/contact", "/blog/can-acupuncture-help-with-dry-eye")


@dataclass
class Record:
    at: float
    kind: str  # "read" | "book"
    status: int
    seconds: float
    reference: str = ""
    slot: tuple = ()


@dataclass
class Load:
    port: int
    ca: str
    slots: list[tuple[str, str, str]]
    readers: int = 3
    bookers: int = 2
    book_every: float = 0.2
    host: str = "zak-clinic.localhost"
    records: list[Record] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []
        self.started = time.monotonic()

    def _keep(self, record: Record) -> None:
        with self.lock:
            self.records.append(record)

    def _reader(self, index: int) -> None:
        client = Client(self.host, self.port, self.ca, timeout=5)
        n = index
        while not self.stop_event.is_set():
            path = READ_PATHS[n % len(READ_PATHS)]
            n += 1
            answer = client.get(path)
            self._keep(Record(time.monotonic(), "read", answer.status, answer.seconds))
        client.close()

    def _booker(self, index: int) -> None:
        while not self.stop_event.is_set():
            with self.lock:
                if not self.slots:
                    return
                slot = self.slots.pop()
            client = Client(self.host, self.port, self.ca, timeout=10)  # a new visitor
            began = time.monotonic()
            answer = book(client, *slot)
            client.close()
            location = answer.headers.get("location", "")
            reference = location.rsplit("/", 1)[-1] if "/confirmed/" in location else ""
            self._keep(Record(began, "book", answer.status, answer.seconds, reference, slot))
            self.stop_event.wait(self.book_every)

    def start(self) -> Load:
        for i in range(self.readers):
            self.threads.append(threading.Thread(target=self._reader, args=(i,), daemon=True))
        for i in range(self.bookers):
            self.threads.append(threading.Thread(target=self._booker, args=(i,), daemon=True))
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=15)

    def run_for(self, seconds: float) -> None:
        self.stop_event.wait(seconds)

    # --- figures ---------------------------------------------------------------
    def of(self, kind: str, since: float = 0.0, until: float = float("inf")) -> list[Record]:
        with self.lock:
            return [r for r in self.records if r.kind == kind and since <= r.at < until]

    @staticmethod
    def failed(records: list[Record]) -> list[Record]:
        return [r for r in records if r.status == 0 or r.status >= 500]

    def booked(self) -> list[Record]:
        return [r for r in self.of("book") if r.status == 303 and r.reference]
