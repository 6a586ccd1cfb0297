"""A local SMTP server that keeps every message it accepts, for `make prod` and drills.

    python -m stack.mailsink <maildir> <port> [<seconds per message>]

Each message is written to the Maildir (one file per message, written before the 250
reply), so a test can count arrivals and duplicates (same Message-ID) after the fact.
Listens on 127.0.0.1 only; SIGTERM stops it.
"""

from __future__ import annotations

import asyncio
import mailbox
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, folder: str, delay: float = 0.0) -> None:
        self.box = mailbox.Maildir(folder, create=True)
        self.lock = threading.Lock()
        self.delay = delay  # drills: a slow server, so a worker can die mid-send

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.box.add(envelope.content)
        return "250 Message accepted for delivery"


def main() -> None:
    folder, port = sys.argv[1], int(sys.argv[2])
    delay = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    controller = Controller(Keep(folder, delay), hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"mail sink: 127.0.0.1:{port} -> {folder}", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
