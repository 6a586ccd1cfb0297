"""`flask --app wsgi engagement notify`: run from cron (every minute or few), or let
`flask worker` run it (its `engagement` task, every minute)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..worker import task

engagement = AppGroup("engagement", help="Readers' comments, subscriptions and messages.")


def notify() -> dict[str, int]:
    from .comments import digest_due
    from .mailings import queue_new_post_mails

    return {"new-post e-mails": queue_new_post_mails(), "comment digests": digest_due()}


@task("engagement", every=60)
def _notify_task() -> dict[str, int]:
    """In `flask worker`: the same as `flask engagement notify`, every minute."""
    return notify()


@engagement.command("notify")
def notify_command() -> None:
    """Queue new-post e-mails for posts that went live (scheduled ones included) and the
    "comments waiting" e-mail to clinics. Safe to run twice or in parallel: nothing is
    queued twice. `flask outbox send` delivers them."""
    counts = notify()
    click.echo(
        f"queued {counts['new-post e-mails']} new-post e-mail(s), "
        f"{counts['comment digests']} comment digest(s)"
    )
