"""The audit hook of the write path: every saved change is announced once, here.

`record` marks the clinic as edited outside its bundle (unless the bundle itself is the
writer) and sends `content_changed` with a `Change`. Whoever keeps the audit log
subscribes to the signal and adds its row to the same session, so the change and its
audit record commit (or roll back) together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from blinker import Namespace

from ..models import Tenant, utcnow

_signals = Namespace()
content_changed = _signals.signal("content-changed")

#: Writers other than these mean "edited in the studio" for `tenants load`.
BUNDLE_SOURCES = frozenset({"bundle"})
LONG_TEXT = 200


@dataclass
class Change:
    """One saved change: `details` maps each changed field to `[before, after]`."""

    tenant_id: int
    action: str  # e.g. post.create, post.update, post.publish, faq.delete, hours.update
    target: str  # e.g. post:12
    label: str  # for people: "post acupuncture-and-sleep"
    source: str = "studio"  # studio | bundle | import
    actor: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def summarise(before: Any, after: Any) -> list[Any]:
    """`[before, after]` for the audit log; long texts by their length only (the
    revisions keep the words themselves)."""
    texts = isinstance(before, str | None) and isinstance(after, str | None)
    if texts and max(len(before or ""), len(after or "")) > LONG_TEXT:
        return [f"{len(before or '')} characters", f"{len(after or '')} characters"]
    return [_plain(before), _plain(after)]


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, set | tuple):
        return sorted(value) if isinstance(value, set) else list(value)
    return value


def record(tenant: Tenant, change: Change) -> Change:
    """Mark the clinic, write the audit event (same transaction) and tell subscribers."""
    if change.source not in BUNDLE_SOURCES:
        tenant.studio_edited_at = utcnow()
    _audit_log(tenant, change)
    content_changed.send(tenant, change=change)
    return change


def _audit_log(tenant: Tenant, change: Change) -> None:
    """The audit log's row: who (the signed-in user, else the writer's name and source),
    what, and the fields' before and after."""
    from flask import has_request_context
    from flask_login import current_user

    from ..auth.audit import record as audit_record

    user = current_user if has_request_context() and current_user.is_authenticated else None
    audit_record(
        change.action,
        actor=user,
        actor_email="" if user is not None else f"({change.source})",
        target=change.target,
        tenant=tenant,
        label=change.label,
        source=change.source,
        changes=change.details,
    )
