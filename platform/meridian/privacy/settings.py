"""A clinic's retention periods: its `PrivacySettings` row, or the defaults."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import RETENTION_DEFAULTS, PrivacySettings, Tenant


def settings_for(tenant: Tenant) -> PrivacySettings:
    """The clinic's settings; an unsaved row holding the defaults if it has none."""
    row = db.session.scalars(
        select(PrivacySettings).where(PrivacySettings.tenant_id == tenant.id)
    ).first()
    return row if row is not None else PrivacySettings(tenant_id=tenant.id, **RETENTION_DEFAULTS)


def save(tenant: Tenant, **periods: int) -> tuple[PrivacySettings, dict[str, tuple[int, int]]]:
    """Store new periods; returns the row and what changed ({field: (old, new)}).
    The caller commits (the row's flush bumps the content version: the notice shows it)."""
    row = settings_for(tenant)
    changed = {}
    for name, value in periods.items():
        if name not in RETENTION_DEFAULTS:
            raise ValueError(f"unknown retention field {name}")
        old = getattr(row, name)
        if old != value:
            changed[name] = (old, value)
            setattr(row, name, value)
    if changed and row.id is None:
        db.session.add(row)
    return row, changed
