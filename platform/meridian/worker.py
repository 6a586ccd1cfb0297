"""`flask --app wsgi worker`: one long-running process for everything that is not a
request. A small scheduler loop runs each task at its own interval:

* `outbox`    deliver due e-mails (claims are safe with several workers at once);
* `publish`   scheduled posts that fell due: bump the clinic's content version, so
              caches move on with no visitor needed;
* `reminders` queue appointment reminders (idempotent);
* `retention` call every registered purge hook (`retention_hook`).

Other areas add work with `task(name, every)`. SIGTERM and SIGINT stop the loop after
the task in hand (a claimed batch of at most ten e-mails), so systemd's stop or a
Ctrl-C never cuts a delivery in two; a SIGKILL can, and the lease covers that
(outbox.py). A failing task is logged and retried at its next turn; the loop goes on.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .extensions import db
from .models import utcnow


@dataclass
class Task:
    name: str
    every: float
    run: Callable[[], object]
    due_at: float = field(default=0.0)


_TASKS: dict[str, Task] = {}
_RETENTION_HOOKS: list[Callable[[], object]] = []


def task(name: str, every: float) -> Callable:
    """Register `fn` to run every `every` seconds in the worker (by name: once)."""

    def register(fn: Callable[[], object]) -> Callable[[], object]:
        _TASKS[name] = Task(name, every, fn)
        return fn

    return register


def retention_hook(fn: Callable[[], object]) -> Callable[[], object]:
    """Register a purge to run with the `retention` task (e.g. old booking details)."""
    if fn not in _RETENTION_HOOKS:
        _RETENTION_HOOKS.append(fn)
    return fn


@task("outbox", every=1)
def _outbox() -> object:
    from .outbox import send_due

    return send_due(limit=50)


@task("publish", every=1)
def _publish() -> object:
    from .tenancy import publish_due_posts

    return publish_due_posts(utcnow())


@task("reminders", every=300)
def _reminders() -> object:
    from .booking.reminders import queue_reminders

    return queue_reminders(current_app.config["REMINDER_HOURS"])


@task("retention", every=3600)
def _retention() -> object:
    for hook in list(_RETENTION_HOOKS):
        hook()
    return len(_RETENTION_HOOKS)


class Worker:
    """Runs the registered tasks until `stop()` (a signal handler calls it)."""

    def __init__(self, tasks: list[Task]) -> None:
        self.tasks = tasks
        self.stopping = threading.Event()

    def stop(self, *_: object) -> None:
        self.stopping.set()

    def tick(self) -> float:
        """Run every task that is due; return seconds until the next one is."""
        for item in self.tasks:
            if self.stopping.is_set():
                break
            now = time.monotonic()
            if item.due_at > now:
                continue
            item.due_at = now + item.every
            try:
                result = item.run()
            except Exception:
                db.session.rollback()
                current_app.logger.exception("worker task %s failed", item.name)
            else:
                if result and (not isinstance(result, dict) or any(result.values())):
                    click.echo(f"worker: {item.name}: {result}", err=True)
            finally:
                db.session.remove()
        return max(0.0, min(t.due_at for t in self.tasks) - time.monotonic())

    def run(self, max_seconds: float | None = None) -> None:
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        while not self.stopping.is_set():
            wait = self.tick()
            if deadline is not None:
                wait = min(wait, deadline - time.monotonic())
                if wait <= 0:
                    break
            self.stopping.wait(min(wait, 1.0))


@click.command("worker")
@click.option("--only", multiple=True, help="Run only these tasks (default: all).")
@click.option("--seconds", type=float, default=None, help="Stop after this long (tests).")
@with_appcontext
def worker_command(only: tuple[str, ...], seconds: float | None) -> None:
    """Deliver e-mail, publish scheduled posts, queue reminders, run purges; until SIGTERM."""
    unknown = set(only) - set(_TASKS)
    if unknown:
        raise click.BadParameter(f"no task {', '.join(sorted(unknown))}", param_hint="--only")
    tasks = [t for t in _TASKS.values() if not only or t.name in only]
    for item in tasks:
        item.due_at = 0.0
    worker = Worker(tasks)
    signal.signal(signal.SIGTERM, worker.stop)
    signal.signal(signal.SIGINT, worker.stop)
    names = ", ".join(f"{t.name}/{t.every:g}s" for t in tasks)
    click.echo(f"worker: running {names} (SIGTERM stops after the task in hand)", err=True)
    worker.run(seconds)
    click.echo("worker: stopped", err=True)


def register(app: Flask) -> None:
    app.cli.add_command(worker_command)
