"""Template helpers: `media_img(item, sizes=…)` renders a responsive `<img>`.

Themes (hero, covers) and the post editor use these instead of building URLs by hand:

    {{ media_img(post.cover, sizes="(min-width: 48rem) 45rem, 100vw", loading="eager") }}
"""

from __future__ import annotations

from flask import url_for
from markupsafe import Markup

from ..models import MediaItem


def media_url(item: MediaItem, width: int | None = None) -> str:
    """The copy at least `width` wide (the widest if none is), or the widest."""
    variants = item.variants
    chosen = variants[-1]
    if width is not None:
        chosen = next((v for v in variants if v[0] >= width), variants[-1])
    return url_for("media.copy", name=chosen[2])


def media_srcset(item: MediaItem) -> str:
    return ", ".join(f"{url_for('media.copy', name=name)} {w}w" for w, _, name in item.variants)


def media_img(
    item: MediaItem | None,
    *,
    sizes: str = "100vw",
    alt: str | None = None,
    loading: str = "lazy",
    class_: str | None = None,
    fetchpriority: str | None = None,
    default_width: int = 800,
) -> Markup:
    """`<img>` with src, srcset, sizes, intrinsic width/height (no layout shift), alt,
    lazy loading and async decoding. `alt=None` uses the item's own description."""
    if item is None or not item.variants:
        return Markup("")
    if loading not in {"lazy", "eager"}:
        raise ValueError("loading must be 'lazy' or 'eager'")
    attrs = {
        "src": media_url(item, default_width),
        "srcset": media_srcset(item),
        "sizes": sizes,
        "width": str(item.width),
        "height": str(item.height),
        "alt": item.alt if alt is None else alt,
        "loading": loading,
        "decoding": "async",
    }
    if class_:
        attrs["class"] = class_
    if fetchpriority:
        attrs["fetchpriority"] = fetchpriority
    rendered = Markup(" ").join(
        Markup('{}="{}"').format(key, value) for key, value in attrs.items()
    )
    return Markup("<img {}>").format(rendered)
