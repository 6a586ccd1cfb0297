"""Configuration that refuses to run unsafely in production.

`MERIDIAN_ENV=production` (deploy/meridian.env.example, `make prod`) turns these checks
on; `create_app` then refuses to build the application, naming each problem in one
line, rather than start and fail (or leak) later. Development (`make run`) and the
tests do not set it.

The Host rule needs no setting: the trusted hosts are PLATFORM_HOSTS plus the domain
table itself (every other Host is refused in tenancy.resolve_tenant before any page
is built), so a clinic's new domain is trusted the moment it is added, and nothing
else ever is. Here we only refuse a PLATFORM_HOSTS that would trust any host.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

MIN_SECRET_LENGTH = 32


class UnsafeConfiguration(SystemExit):
    """Raised by `create_app`; its message is one line per refusal."""


def problems(config: Mapping[str, Any]) -> list[str]:
    """Every reason this configuration must not serve production traffic."""
    found: list[str] = []
    secret = str(config.get("SECRET_KEY") or "")
    if len(secret) < MIN_SECRET_LENGTH or len(set(secret)) < 8:
        found.append(
            f"SECRET_KEY must be a random string of at least {MIN_SECRET_LENGTH} characters "
            "(python3 -c 'import secrets; print(secrets.token_hex(32))')"
        )
    if str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://"):
        found.append(
            "rate limits would be kept per process (memory://): set REDIS_URL so every "
            "app server and worker shares them"
        )
    if config.get("PROXY_COUNT") is None:
        found.append(
            "PROXY_COUNT is not set: the number of proxies in front of the app whose "
            "X-Forwarded-For/-Proto are trusted (1 behind nginx, 0 if clients connect directly)"
        )
    elif int(config["PROXY_COUNT"]) > 3:
        found.append(f"PROXY_COUNT={config['PROXY_COUNT']} is implausible (at most 3 hops)")
    if config.get("PUBLIC_SCHEME") != "https":
        found.append("PUBLIC_SCHEME must be https in production (links in pages and e-mails)")
    hosts = config.get("PLATFORM_HOSTS") or []
    if not hosts or any("*" in host or host.startswith(".") for host in hosts):
        found.append(
            "PLATFORM_HOSTS must list the platform's own host names exactly (no wildcards): "
            "clinic hosts are trusted from the domain table"
        )
    if config.get("DEBUG"):
        found.append("FLASK_DEBUG is on: never in production (the debugger runs code)")
    if config.get("IMPORT_ALLOWED_NETWORKS"):
        found.append(
            "IMPORT_ALLOWED_NETWORKS is set: the blog import must never fetch private "
            "addresses in production (it is for tests only)"
        )
    return found


def check(config: Mapping[str, Any]) -> None:
    """Refuse to go on in production if anything above is wrong."""
    if config.get("MERIDIAN_ENV") != "production" or config.get("TESTING"):
        return
    found = problems(config)
    if found:
        raise UnsafeConfiguration(
            "\n".join(f"meridian: refusing to start: {problem}" for problem in found)
        )


@click.command("check-config")
@with_appcontext
def check_config_command() -> None:
    """Exit 0 only for a configuration safe for production (systemd's ExecStartPre)."""
    config = current_app.config
    found = problems(config)
    if config.get("MERIDIAN_ENV") != "production":
        found.insert(0, "MERIDIAN_ENV is not 'production' (the checks below would not run)")
    for problem in found:
        click.echo(f"meridian: refusing to start: {problem}", err=True)
    if found:
        raise SystemExit(1)
    click.echo("configuration: safe for production")


def register(app: Flask) -> None:
    app.cli.add_command(check_config_command)
