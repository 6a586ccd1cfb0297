"""Saving a clinic's own settings (name, words, brand) through the same rules."""

from __future__ import annotations

import re
from typing import Any

from ..markdown import render_markdown
from ..models import Tenant
from .audit import Change, record
from .errors import ContentInvalid
from .fields import apply

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def save_settings(
    tenant: Tenant, values: dict[str, Any], *, actor: str = "", source: str = "studio"
) -> dict:
    """Apply `values` (any of the tenant's settings); `about_md` also renders `about_html`."""
    errors: dict[str, str] = {}
    if "name" in values and not values["name"]:
        errors["name"] = "The clinic needs a name."
    for key in ("brand_primary", "brand_accent"):
        if key in values and not COLOUR.match(values[key] or ""):
            errors[key] = "Use a colour written as #rrggbb."
    if errors:
        raise ContentInvalid(errors)
    if "about_md" in values:
        values = values | {"about_html": render_markdown(values["about_md"])}
    changes = apply(tenant, values)
    changes.pop("about_html", None)
    if changes:
        record(
            tenant,
            Change(
                tenant.id,
                "settings.update",
                f"tenant:{tenant.id}",
                "settings",
                source,
                actor,
                changes,
            ),
        )
    return changes
