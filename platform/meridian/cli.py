"""`flask --app wsgi tenants …` commands."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from .bundles import BundleError, StudioEdits, export_bundle, load_bundle
from .extensions import db
from .models import Tenant

tenants = AppGroup("tenants", help="Load and manage clinic bundles.")


@tenants.command("load")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option(
    "--replace",
    is_flag=True,
    help="Overwrite a clinic that was edited in the studio since its last load.",
)
def load_command(paths: tuple[Path, ...], dry_run: bool, replace: bool) -> None:
    """Load (or update) each bundle folder, e.g. tenants/zak-clinic."""
    for path in paths:
        try:
            report = load_bundle(path, replace=replace, dry_run=dry_run)
        except StudioEdits as exc:
            click.echo(f"{exc.report.tenant}: would change")
            for line in exc.report.lines():
                click.echo(line)
            raise click.ClickException(str(exc)) from exc
        except BundleError as exc:
            raise click.ClickException(f"{path}: {exc}") from exc
        if not report.changed:
            click.echo(f"{report.tenant}: unchanged")
            continue
        verb = "would change" if dry_run else "changed"
        click.echo(
            f"{report.tenant}: {verb}: {len(report.created)} created, {len(report.updated)} updated"
        )
        for line in report.lines():
            click.echo(line)


@tenants.command("export")
@click.argument("slug")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def export_command(slug: str, folder: Path) -> None:
    """Write a clinic as a bundle folder that `tenants load` turns back into the same clinic."""
    tenant = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).first()
    if tenant is None:
        raise click.ClickException(f"no tenant {slug!r}")
    try:
        written = export_bundle(tenant, folder)
    except BundleError as exc:
        raise click.ClickException(str(exc)) from exc
    posts = sum(1 for path in written if path.parent.name == "posts")
    click.echo(f"{slug}: wrote {folder} (tenant.toml and {posts} posts)")


@tenants.command("list")
def list_command() -> None:
    """Every tenant with its status and primary host."""
    for tenant in db.session.scalars(select(Tenant).order_by(Tenant.slug)):
        click.echo(f"{tenant.slug}\t{tenant.status}\t{tenant.primary_host}")


def _set_status(slug: str, status: str) -> None:
    tenant = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).first()
    if tenant is None:
        raise click.ClickException(f"no tenant {slug!r}")
    tenant.status = status
    if status == "suspended":
        from .auth.sessions import end_clinic_sessions

        end_clinic_sessions(tenant.id)
    db.session.commit()
    click.echo(f"{slug}: {status}")


@tenants.command("suspend")
@click.argument("slug")
def suspend_command(slug: str) -> None:
    """Take a clinic's site offline (visitors see 'temporarily unavailable')."""
    _set_status(slug, "suspended")


@tenants.command("activate")
@click.argument("slug")
def activate_command(slug: str) -> None:
    _set_status(slug, "active")


outbox = AppGroup("outbox", help="Deliver and inspect outgoing e-mail.")


@outbox.command("send")
@click.option("--limit", default=100, show_default=True, help="At most this many messages.")
def outbox_send(limit: int) -> None:
    """Send due messages (run from cron or a loop; safe to run in several workers)."""
    from .outbox import send_due

    counts = send_due(limit=limit)
    click.echo(f"sent {counts['sent']}, will retry {counts['retry']}, failed {counts['failed']}")


@outbox.command("status")
@click.option("--tenant", "slug", default=None, help="Only this clinic.")
@click.option("--limit", default=50, show_default=True)
def outbox_status(slug: str | None, limit: int) -> None:
    """Each message's delivery state, newest first (no message bodies are shown)."""
    from .models import OutboxMessage

    stmt = (
        select(OutboxMessage, Tenant.slug)
        .outerjoin(Tenant, Tenant.id == OutboxMessage.tenant_id)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    if slug:
        stmt = stmt.where(Tenant.slug == slug)
    for message, tenant_slug in db.session.execute(stmt):
        click.echo(
            f"{message.id}\t{tenant_slug or '(platform)'}\t{message.kind}\t{message.recipient}\t"
            f"{message.status}\tattempts={message.attempts}\t{message.last_error}"
        )


reminders = AppGroup("reminders", help="Appointment reminders.")


@reminders.command("queue")
@click.option("--hours", type=int, default=None, help="How long before (default REMINDER_HOURS).")
def reminders_queue(hours: int | None) -> None:
    """Queue reminder e-mails for appointments coming up; running it twice adds none."""
    from flask import current_app

    from .booking.reminders import queue_reminders

    count = queue_reminders(hours or current_app.config["REMINDER_HOURS"])
    click.echo(f"queued {count} reminder(s)")


def register(app: Flask) -> None:
    from .auth.cli import register as register_auth
    from .engagement.cli import engagement
    from .importer.cli import import_blog_command

    tenants.add_command(import_blog_command)
    register_auth(app)
    app.cli.add_command(engagement)
    app.cli.add_command(tenants)
    app.cli.add_command(outbox)
    app.cli.add_command(reminders)
    from . import backup, safety, worker

    worker.register(app)
    backup.register(app)
    safety.register(app)
