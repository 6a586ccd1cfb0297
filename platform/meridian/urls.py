"""Absolute URLs on a tenant's primary domain, never on the request's Host.

Used for canonical links, Open Graph, JSON-LD, feeds, sitemaps and e-mails. Works
outside a request (the outbox worker builds links too), so it binds the URL map
itself instead of relying on `url_for(_external=True)`.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from .models import Tenant

_DEFAULT_PORTS = {"http": "80", "https": "443"}


def origin_for(host: str) -> str:
    scheme = current_app.config["PUBLIC_SCHEME"]
    port = str(current_app.config.get("PUBLIC_PORT") or "")
    suffix = f":{port}" if port and port != _DEFAULT_PORTS.get(scheme) else ""
    return f"{scheme}://{host}{suffix}"


def tenant_url(tenant: Tenant, endpoint: str, **values: Any) -> str:
    adapter = current_app.url_map.bind(tenant.primary_host, script_name="/")
    path = adapter.build(endpoint, values)
    return origin_for(tenant.primary_host) + path
