"""`flask --app wsgi tenants import-blog SLUG SOURCE`: the same import as the admin
console's, from a terminal, run after run until nothing is left (for a big blog)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import Tenant
from . import Limits, import_blog


@click.command("import-blog")
@click.argument("slug")
@click.argument("source")
@click.option("--publish", is_flag=True, help="Keep published posts published (else drafts).")
@click.option("--dry-run", is_flag=True, help="Report what would come across; change nothing.")
@with_appcontext
def import_blog_command(slug: str, source: str, publish: bool, dry_run: bool) -> None:
    """SOURCE is a URL (a Wix site, an RSS/Atom feed) or a file (feed, WordPress WXR)."""
    tenant = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).first()
    if tenant is None:
        raise click.ClickException(f"no clinic {slug!r}")
    is_url = source.startswith(("http://", "https://"))
    if not is_url and not Path(source).is_file():
        raise click.ClickException(f"{source}: not a URL nor a file")
    limits = Limits(posts=10_000, seconds=24 * 3600)
    if is_url:
        run = import_blog(tenant, url=source, publish=publish, dry_run=dry_run, limits=limits)
    else:
        data = Path(source).read_bytes()
        run = import_blog(
            tenant,
            data=data,
            filename=Path(source).name,
            publish=publish,
            dry_run=dry_run,
            limits=limits,
        )
    for row in run.report:
        new = f" -> {row['new']}" if row["new"] else ""
        why = f" ({row['why']})" if row["why"] else ""
        click.echo(f"{row['action']:>12}: {row['title']}{new}{why}")
    counts = {a: run.count(a) for a in ("imported", "would import", "skipped", "failed")}
    click.echo(f"{run.status}: " + ", ".join(f"{n} {a}" for a, n in counts.items() if n))
    if run.status == "failed":
        raise click.ClickException(run.problem or "the import failed")
