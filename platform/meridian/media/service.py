"""The one write path for the media library: upload, alt text, delete.

An upload is all or nothing: the file is checked and every copy encoded in memory
first, then the copies are stored, then the row is committed. If storing or the commit
fails, the copies already written are removed again, so nothing half-made is left.
"""

from __future__ import annotations

import secrets
import unicodedata
from typing import IO

from flask import current_app
from sqlalchemy import select

from ..auth.audit import record
from ..extensions import db
from ..models import MediaItem, Practitioner, Tenant
from .images import ImageRefused, process
from .storage import StorageError, storage

ALT_MAX = 300


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.0f} MB" if size >= 1_000_000 else f"{size / 1000:.0f} kB"


def read_limited(stream: IO[bytes], limit: int) -> bytes:
    """The whole upload, or ImageRefused as soon as it passes `limit` bytes."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ImageRefused(
            f"This file is larger than the {_megabytes(limit)} limit. "
            "Please upload a smaller copy (a phone's 'large' or 'medium' size is plenty)."
        )
    if not data:
        raise ImageRefused("This file is empty. Please choose a photo.")
    return data


def clean_filename(name: str | None) -> str:
    """The uploaded name, for people only (never used as a path): printable, ≤ 200 chars."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if ch.isprintable())
    return name.strip()[:200]


def clean_alt(alt: str | None) -> str:
    text = " ".join((alt or "").split())
    if len(text) > ALT_MAX:
        raise ValueError(f"Keep the description under {ALT_MAX} characters.")
    return text


def save_upload(
    tenant_id: int,
    stream: IO[bytes],
    *,
    filename: str | None = None,
    alt: str = "",
    actor: str = "",
    source: str = "studio",
) -> MediaItem:
    """Check, re-encode and store an upload for a clinic; commit its MediaItem.

    Raises ImageRefused (with a sentence for the person) and stores nothing on refusal.
    """
    config = current_app.config
    alt_text = clean_alt(alt)
    data = read_limited(stream, config["MEDIA_MAX_BYTES"])
    processed = process(
        data,
        max_pixels=config["MEDIA_MAX_PIXELS"],
        widths=tuple(config["MEDIA_WIDTHS"]),
        quality=config["MEDIA_QUALITY"],
    )
    del data
    token = secrets.token_hex(8)
    variants = [
        [copy.width, copy.height, f"{token}-{copy.width}w-{copy.digest}.webp"]
        for copy in processed.copies
    ]
    backend = storage()
    written: list[str] = []
    try:
        for copy, (_, _, name) in zip(processed.copies, variants, strict=True):
            key = f"{tenant_id}/{name}"
            backend.put(key, copy.data, "image/webp")
            written.append(key)
        item = MediaItem(
            tenant_id=tenant_id,
            token=token,
            filename=clean_filename(filename),
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
        _audit(tenant_id, "media.upload", item, actor, source, {"filename": [None, item.filename]})
        db.session.commit()
    except BaseException as exc:
        db.session.rollback()
        for key in written:
            _forget(backend, key)
        if isinstance(exc, StorageError):
            raise ImageRefused(
                "The photo could not be stored just now. Nothing was saved; please try again."
            ) from exc
        raise
    return item


def set_alt(item: MediaItem, alt: str, *, actor: str = "") -> tuple[str, str]:
    """Change an item's description; returns (before, after)."""
    before, after = item.alt, clean_alt(alt)
    if before != after:
        item.alt = after
        _audit(item.tenant_id, "media.update", item, actor, "studio", {"alt": [before, after]})
        db.session.commit()
    return before, after


class MediaInUse(ValueError):
    """The item is shown somewhere; `str(exc)` says where, for the person."""


def uses_of(item: MediaItem) -> list[str]:
    """Where the clinic shows this photo: its logo, the home page's photo, post covers,
    practitioners."""
    from ..content.posts import covers_using

    uses = []
    tenant = db.session.get(Tenant, item.tenant_id)
    if tenant is None:
        return uses
    if (tenant.logo or "").removeprefix("media/") in item.names:
        uses.append("the clinic's logo (Settings)")
    if tenant.hero_media_id == item.id:
        uses.append("the photo at the top of the home page")
    uses += [f"the cover of the post “{post.title}”" for post in covers_using(tenant, item.id)]
    people = db.session.scalars(
        select(Practitioner.name).where(
            Practitioner.tenant_id == tenant.id, Practitioner.photo_media_id == item.id
        )
    )
    uses.extend(f"the photo of {name} (Practitioners)" for name in people)
    return uses


def delete_item(item: MediaItem, *, actor: str = "") -> None:
    """Remove the row, then its copies (a copy left behind is unreachable, not served).
    Refused (MediaInUse) while the photo is shown somewhere."""
    uses = uses_of(item)
    if uses:
        raise MediaInUse(f"This photo is in use as {', '.join(uses)}. Choose another there first.")
    keys = item.storage_keys()
    _audit(
        item.tenant_id, "media.delete", item, actor, "studio", {"filename": [item.filename, None]}
    )
    db.session.delete(item)
    db.session.commit()
    backend = storage()
    for key in keys:
        _forget(backend, key)


def _audit(tenant_id: int, action: str, item: MediaItem, actor: str, source: str, details):
    """Add the audit event to the same transaction as the change."""
    from flask import has_request_context
    from flask_login import current_user

    user = current_user if has_request_context() and current_user.is_authenticated else None
    record(
        action,
        actor=user,
        actor_email=actor,
        target=f"media:{item.id}",
        tenant=db.session.get(Tenant, tenant_id),
        source=source,
        changes=details,
    )


def _forget(backend, key: str) -> None:
    try:
        backend.delete(key)
    except Exception:  # cleanup must not hide the first error
        current_app.logger.warning("media: could not delete %s", key)
