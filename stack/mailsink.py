"""A local SMTP server that keeps every message it accepts, for `make prod` and drills.

    python -m stack.mailsink <maildir> <port>

Each message is written to the Maildir (one file per message, written before the 250
reply), so a test can count arrivals and duplicates (same Message-ID) after the fact.
Listens on 127.0.0.1 only; SIGTERM stops it.
"""

from __future__ import annotations

import mailbox
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, folder: str) -> None:
        self.box = mailbox.Maildir(folder, create=True)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        with self.lock:
            self.box.add(envelope.content)
        return "250 Message accepted for delivery"


def main() -> None:
    folder, port = sys.argv[1], int(sys.argv[2])
    controller = Controller(Keep(folder), hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"mail sink: 127.0.0.1:{port} -> {folder}", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
