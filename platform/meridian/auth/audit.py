"""The audit log: one call, `record(action, ...)`, for every area of the app."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, request

from ..extensions import db
from ..models import AuditEvent, Tenant, User


def client_address() -> str:
    """The client's address as ProxyFix left it (only PROXY_COUNT proxies are trusted)."""
    return (request.remote_addr or "")[:45] if has_request_context() else ""


def record(
    action: str,
    *,
    actor: User | None = None,
    actor_email: str = "",
    target: str = "",
    tenant: Tenant | None | bool = True,
    **details: Any,
) -> AuditEvent:
    """Add an event to the session (the caller commits with its own change).

    `tenant=True` means the request's clinic (None on the platform host); pass a tenant
    or None to say otherwise. `details` must hold no secrets and no health data.
    """
    if tenant is True:
        tenant = g.get("tenant") if has_request_context() else None
    event = AuditEvent(
        tenant_id=tenant.id if isinstance(tenant, Tenant) else None,
        actor_id=actor.id if actor is not None else None,
        actor_email=(actor.email if actor is not None else actor_email)[:254],
        action=action,
        target=target[:200],
        client_address=client_address(),
        details=details,
    )
    db.session.add(event)
    return event
