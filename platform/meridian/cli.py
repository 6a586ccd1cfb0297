"""`flask --app wsgi tenants …` commands."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from .bundles import BundleError, load_bundle
from .extensions import db
from .models import Tenant

tenants = AppGroup("tenants", help="Load and manage clinic bundles.")


@tenants.command("load")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
def load_command(paths: tuple[Path, ...]) -> None:
    """Load (or update) each bundle folder, e.g. tenants/zak-clinic."""
    for path in paths:
        try:
            report = load_bundle(path)
        except BundleError as exc:
            raise click.ClickException(f"{path}: {exc}") from exc
        if not report.changed:
            click.echo(f"{report.tenant}: unchanged")
            continue
        click.echo(f"{report.tenant}: {len(report.created)} created, {len(report.updated)} updated")
        for label in report.created:
            click.echo(f"  + {label}")
        for label in report.updated:
            click.echo(f"  ~ {label}")


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


def register(app: Flask) -> None:
    app.cli.add_command(tenants)
