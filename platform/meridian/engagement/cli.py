"""`flask --app wsgi engagement notify`: run from cron (every minute or few)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

engagement = AppGroup("engagement", help="Readers' comments, subscriptions and messages.")


@engagement.command("notify")
def notify_command() -> None:
    """Queue new-post e-mails for posts that went live (scheduled ones included) and the
    "comments waiting" e-mail to clinics. Safe to run twice or in parallel: nothing is
    queued twice. `flask outbox send` delivers them."""
    from .comments import digest_due
    from .mailings import queue_new_post_mails

    posts = queue_new_post_mails()
    digests = digest_due()
    click.echo(f"queued {posts} new-post e-mail(s), {digests} comment digest(s)")
