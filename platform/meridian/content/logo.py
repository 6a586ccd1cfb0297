"""The intrinsic size of a clinic's logo file, so pages give its <img> a width and a
height (no layout shift while it loads) and e-mails a raster copy's size."""

from __future__ import annotations

import re
from pathlib import Path

from flask import current_app

_SVG_SIZE = re.compile(rb"<svg\b[^>]*>", re.S)
_NUMBER = r'\s*=\s*["\']\s*([0-9.]+)\s*(?:px)?\s*["\']'


def bundle_file(tenant, name: str) -> Path | None:
    """`static/<name>` of the clinic's bundle, if it is a file inside that folder."""
    folder = (Path(current_app.config["TENANTS_DIR"]) / tenant.slug / "static").resolve()
    path = (folder / name).resolve()
    return path if path.is_relative_to(folder) and path.is_file() else None


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) of an SVG (its width/height, else its viewBox) or a raster file."""
    if path.suffix.lower() == ".svg":
        match = _SVG_SIZE.search(path.read_bytes()[:4096])
        if match is None:
            return None
        tag = match.group(0).decode("utf-8", "replace")
        width = re.search(r"\bwidth" + _NUMBER, tag)
        height = re.search(r"\bheight" + _NUMBER, tag)
        if width and height:
            return round(float(width[1])), round(float(height[1]))
        box = re.search(
            r'viewBox\s*=\s*["\']\s*[-0-9.]+[ ,]+[-0-9.]+[ ,]+([0-9.]+)[ ,]+([0-9.]+)', tag
        )
        return (round(float(box[1])), round(float(box[2]))) if box else None
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return image.width, image.height
    except (OSError, UnidentifiedImageError):
        return None


def logo_box(tenant, height: int = 48) -> tuple[int, int] | None:
    """(width, height) for the clinic's logo shown `height` pixels high, or None when the
    logo is not a bundle file whose size can be read (a media-library logo, say)."""
    if tenant is None or not tenant.logo or tenant.logo.startswith("media/"):
        return None
    path = bundle_file(tenant, tenant.logo)
    size = image_size(path) if path is not None else None
    if not size or not all(size):
        return None
    return round(size[0] * height / size[1]), height
