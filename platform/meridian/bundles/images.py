"""Pictures a bundle names (the home page's hero, post covers), into the media library.

A picture becomes a `MediaItem` of the clinic, re-encoded by the library's own pipeline
(`media.images.process`) and stored like any upload. It is matched on its bundle path
and content hash (kept in the item's file name, which the studio shows), so loading a
bundle again reuses the item and an edited picture becomes a new one. Re-encoding is
remembered per process by content hash: reloading a bundle (as every test that loads
the demo clinics does) costs no image work after the first time.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..media.images import ImageRefused, Processed, process
from ..media.storage import storage
from ..models import MediaItem, Tenant
from .fields import BundleError

_processed: dict[str, Processed] = {}


def _process(data: bytes, digest: str) -> Processed:
    config = current_app.config
    key = f"{digest}:{config['MEDIA_WIDTHS']}:{config['MEDIA_QUALITY']}"
    if key not in _processed:
        _processed[key] = process(
            data,
            max_pixels=config["MEDIA_MAX_PIXELS"],
            widths=tuple(config["MEDIA_WIDTHS"]),
            quality=config["MEDIA_QUALITY"],
        )
    return _processed[key]


def bundle_image(
    bundle: Path, tenant: Tenant, name: Any, alt: Any, where: str, *, store: bool = True
) -> int | None:
    """The id of the clinic's media item for `static/<name>` (None if `name` is unset).
    Without `store` (a dry run, rolled back) the picture is checked and its row made,
    but no file is written to the media storage."""
    if not name:
        return None
    folder = (bundle / "static").resolve()
    path = (folder / str(name)).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        raise BundleError(f"{where}: image {name!r} is not a file in the bundle's static/ folder")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:12]
    label = f"{name} ({digest})"
    alt_text = " ".join(str(alt or "").split())[:300]
    item = db.session.scalars(
        select(MediaItem).where(MediaItem.tenant_id == tenant.id, MediaItem.filename == label)
    ).first()
    if item is not None:
        if item.alt != alt_text:
            item.alt = alt_text
        return item.id
    try:
        processed = _process(data, digest)
    except ImageRefused as exc:
        raise BundleError(f"{where}: image {name!r}: {exc}") from exc
    token = secrets.token_hex(8)
    variants = [
        [copy.width, copy.height, f"{token}-{copy.width}w-{copy.digest}.webp"]
        for copy in processed.copies
    ]
    if store:
        backend = storage()
        for copy, (_, _, file) in zip(processed.copies, variants, strict=True):
            backend.put(f"{tenant.id}/{file}", copy.data, "image/webp")
    item = MediaItem(
        tenant_id=tenant.id,
        token=token,
        filename=label,
        alt=alt_text,
        source_format=processed.source_format,
        content_type="image/webp",
        width=processed.widest.width,
        height=processed.widest.height,
        byte_size=sum(len(copy.data) for copy in processed.copies),
        variants=variants,
    )
    db.session.add(item)
    db.session.flush()
    return item.id
