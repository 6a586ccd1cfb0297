"""`python -m stack up` (make prod) and `python -m stack stop` (make prod-stop)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from . import Stack
from .services import ROOT, stop_recorded


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m stack")
    parser.add_argument("command", choices=["up", "stop"])
    parser.add_argument("--server", default=None, help="gunicorn or granian")
    options = parser.parse_args()
    run = ROOT / "run" / "prod"
    if options.command == "stop":
        stopped = stop_recorded(run)
        print("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))
        return
    leftovers = stop_recorded(run)
    if leftovers:
        print(f"stopped what an earlier make prod left running: {', '.join(leftovers)}")
    stack = Stack(run=run) if options.server is None else Stack(run=run, server=options.server)
    print(
        "starting: PostgreSQL database meridian_prod, Redis db 5, SMTP sink, S3 (moto), "
        f"2 app servers ({stack.server}), worker, nginx …",
        flush=True,
    )
    stack.up()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(
        f"""
  Acute Acupuncture:  {stack.url("acute-acupuncture.localhost")}
  Zak Clinic:         {stack.url("zak-clinic.localhost")}
  Platform directory: {stack.url("localhost")}
  (http://…:{stack.http_port}/ redirects to HTTPS; the local CA is {stack.ca}:
   curl --cacert {stack.ca} {stack.url("zak-clinic.localhost")})

  app servers: 127.0.0.1:{stack.app_ports[0]} and :{stack.app_ports[1]} ({stack.server}), worker, nginx
  e-mail: SMTP sink on 127.0.0.1:{stack.smtp_port}, messages in {run / "mail"}/new/
  logs: {run / "log"}/    pids: {run / "pids"}/
  Ctrl-C (or make prod-stop) stops everything it started.
""",
        flush=True,
    )
    while not stop.is_set():
        stop.wait(1)
        dead = [p.name for p in stack.procs.values() if not p.alive()]
        if dead:
            print(f"stopped unexpectedly: {', '.join(dead)} (see {run / 'log'}/)", file=sys.stderr)
            break
    print("stopping …", flush=True)
    stack.down()


if __name__ == "__main__":
    main()
