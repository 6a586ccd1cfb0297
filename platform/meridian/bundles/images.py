"""Pictures a bundle names (the home page's hero, post covers) from its static/ folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..media import MediaError, store
from .fields import BundleError


def bundle_image(bundle: Path, tenant_slug: str, name: Any, where: str) -> str | None:
    """Resize `static/<name>` of the bundle for the clinic; its media key (None if unset)."""
    if not name:
        return None
    folder = (bundle / "static").resolve()
    path = (folder / str(name)).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        raise BundleError(f"{where}: image {name!r} is not a file in the bundle's static/ folder")
    try:
        return store(tenant_slug, path.read_bytes())
    except MediaError as exc:
        raise BundleError(f"{where}: image {name!r}: {exc}") from exc
