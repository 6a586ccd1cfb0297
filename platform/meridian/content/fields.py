"""Small rules shared by every writer: slugs, lengths, tidy text, applying values."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from ..extensions import db
from .audit import Change, record, summarise


def slug_pattern(max_length: int) -> re.Pattern[str]:
    return re.compile(rf"^[a-z0-9](?:[a-z0-9-]{{0,{max_length - 1}}})$")


TAG_SLUG = slug_pattern(63)
POST_SLUG = slug_pattern(120)


def slugify(text: str, max_length: int = 80) -> str:
    """`Acupuncture & Sleep — a review` -> `acupuncture-sleep-a-review` (ASCII only)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-")


def line(value: Any) -> str:
    """A single-line field: surrounding spaces dropped, line breaks and controls refused
    by `check_line` (they would forge lines in e-mails and feeds)."""
    return str(value or "").strip()


def text_block(value: Any) -> str:
    """Multi-line text as stored: Unix line ends, no surrounding blank space (a textarea
    sends CRLF; a bundle's front matter strips the body), so every writer agrees."""
    return str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_line(errors: dict[str, str], name: str, value: str, label: str, limit: int) -> None:
    if _CONTROL.search(value):
        errors[name] = f"{label} must be a single line of text."
    elif len(value) > limit:
        errors[name] = f"{label} is {len(value):,} characters; the limit is {limit:,}."


def check_text(errors: dict[str, str], name: str, value: str, label: str, limit: int) -> None:
    if "\x00" in value:
        errors[name] = f"{label} contains a character that cannot be stored."
    elif len(value) > limit:
        errors[name] = f"{label} is {len(value):,} characters; the limit is {limit:,}."


def apply(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set the attributes that differ; `{field: [before, after]}` of what changed."""
    changed: dict[str, list[Any]] = {}
    for key, value in values.items():
        before = getattr(obj, key)
        if before != value:
            setattr(obj, key, value)
            changed[key] = summarise(before, value)
    return changed


def save_row(
    tenant,
    row: Any,
    make: Callable[[], Any],
    slug: str,
    values: dict[str, Any],
    *,
    kind: str,
    actor: str,
    source: str,
    action: Callable[[Any, dict], str] | None = None,
) -> tuple[Any, dict[str, list[Any]]]:
    """Create (`row` None: `make()`) or update one slugged row of the clinic (a location,
    service or practitioner, already checked), then announce the change to the audit
    hook: `<kind>.create`, `<kind>.update` or, for an update, `action(row, changes)`."""
    created = row is None
    if row is None:
        row = make()
        db.session.add(row)
    changes = apply(row, {"slug": slug} | values)
    db.session.flush()
    if changes or created:
        updated = action(row, changes) if action else f"{kind}.update"
        name = f"{kind}.create" if created else updated
        label = f"{kind} {row.slug}"
        record(tenant, Change(tenant.id, name, f"{kind}:{row.id}", label, source, actor, changes))
    return row, changes
