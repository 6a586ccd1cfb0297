"""Photographs: resized once into a few widths, served for a year, marked up responsively.

`store(tenant_slug, data)` checks an image (JPEG, PNG or WebP only, pixel limit),
turns it upright, drops its metadata (phone photos carry GPS), and writes WebP copies
at the widths of `WIDTHS` that are narrower than the original (plus the original
width, at most 2000 px) to `<MEDIA_DIR>/<tenant slug>/`. It returns a *media key*,
`<content hash>-<width>x<height>`, which is what the database stores (the hero's
`Tenant.hero_image`, a post's `cover_image`): the key alone tells the template every
file name, width and height, so rendering an image reads nothing from disk.

Files are named by content, so a URL never changes meaning and can be cached for a
year; storing the same picture twice writes nothing.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

from flask import Flask, abort, current_app, send_from_directory, url_for
from markupsafe import Markup, escape
from PIL import Image, ImageOps, UnidentifiedImageError

WIDTHS = (480, 800, 1200, 1600, 2000)
MAX_WIDTH = WIDTHS[-1]
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000
MAX_BYTES = 20 * 1024 * 1024
QUALITY = 74
KEY = re.compile(r"^([0-9a-f]{16})-([1-9][0-9]{0,4})x([1-9][0-9]{0,4})$")
FILE = re.compile(r"^[0-9a-f]{16}-[1-9][0-9]{0,4}x[1-9][0-9]{0,4}-[1-9][0-9]{0,4}\.webp$")


class MediaError(ValueError):
    """The upload is not an image we accept (the message can be shown to its owner)."""


def media_root() -> Path:
    configured = current_app.config.get("MEDIA_DIR")
    return Path(configured) if configured else Path(current_app.config["INSTANCE_PATH"]) / "media"


def widths_for(width: int) -> list[int]:
    """The widths a picture `width` px wide is kept at (never upscaled)."""
    return [w for w in WIDTHS if w < width] + [width]


def parse_key(key: str | None) -> tuple[int, int] | None:
    """(width, height) of a media key, or None if `key` is not one."""
    match = KEY.match(key or "")
    return (int(match.group(2)), int(match.group(3))) if match else None


def store(tenant_slug: str, data: bytes) -> str:
    """Check and resize an image for one clinic; return its media key."""
    if len(data) > MAX_BYTES:
        raise MediaError("The image is larger than 20 MB.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise MediaError("Please use a JPEG, PNG or WebP image.")
            if probe.width * probe.height > MAX_PIXELS:
                raise MediaError("The image has too many pixels (40 megapixels at most).")
            orientation = probe.getexif().get(0x0112, 1)
            width, height = probe.size
    except (UnidentifiedImageError, OSError) as exc:
        raise MediaError("That file is not an image we can read.") from exc
    if orientation in (5, 6, 7, 8):  # EXIF says "rotate a quarter turn"
        width, height = height, width
    if width > MAX_WIDTH:
        width, height = MAX_WIDTH, max(1, round(height * MAX_WIDTH / width))
    key = f"{hashlib.blake2b(data, digest_size=8).hexdigest()}-{width}x{height}"
    folder = media_root() / tenant_slug
    wanted = [(w, folder / f"{key}-{w}.webp") for w in widths_for(width)]
    if all(path.exists() for _, path in wanted):
        return key
    folder.mkdir(parents=True, exist_ok=True)
    with Image.open(io.BytesIO(data)) as original:
        upright = ImageOps.exif_transpose(original)
        mode = "RGBA" if upright.mode in ("RGBA", "LA", "PA") else "RGB"
        upright = upright.convert(mode)
        for w, path in wanted:
            copy = upright.resize((w, max(1, round(height * w / width))), Image.Resampling.LANCZOS)
            partial = path.with_suffix(".part")
            copy.save(partial, "WEBP", quality=QUALITY, method=5)  # no EXIF, no GPS
            partial.replace(path)
    return key


def image_url(key: str, width: int) -> str:
    return url_for("media", filename=f"{key}-{width}.webp")


def responsive_image(
    key: str | None,
    alt: str,
    sizes: str,
    *,
    eager: bool = False,
    css_class: str = "",
) -> Markup:
    """`<img>` with srcset, sizes, width and height; lazy unless `eager` (the LCP image).

    An empty `alt` marks the picture decorative. An unknown key renders nothing, so a
    template can always call this and fall back to its own no-photo design.
    """
    dims = parse_key(key)
    if dims is None:
        return Markup("")
    width, height = dims
    candidates = widths_for(width)
    srcset = ", ".join(f"{image_url(key, w)} {w}w" for w in candidates)  # type: ignore[arg-type]
    default = next((w for w in candidates if w >= 800), candidates[-1])
    loading = ' fetchpriority="high"' if eager else ' loading="lazy"'
    css = f' class="{escape(css_class)}"' if css_class else ""
    return Markup(  # noqa: S704 (every interpolated value is escaped or a number)
        f'<img src="{escape(image_url(key, default))}" srcset="{escape(srcset)}"'  # type: ignore[arg-type]
        f' sizes="{escape(sizes)}" width="{width}" height="{height}" alt="{escape(alt)}"'
        f'{css} decoding="async"{loading}>'
    )


def serve(filename: str):
    """A clinic's image from its own folder only; cached for a year (names never change)."""
    from .tenancy import current_tenant

    tenant = current_tenant()
    if not FILE.match(filename):
        abort(404)
    response = send_from_directory(media_root() / tenant.slug, filename, max_age=31_536_000)
    response.cache_control.immutable = True
    response.cache_control.public = True
    return response


def init_app(app: Flask) -> None:
    app.add_url_rule("/media/<filename>", "media", serve)
    app.add_template_global(responsive_image)
