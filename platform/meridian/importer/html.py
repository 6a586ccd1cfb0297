"""An imported post's HTML: sanitised (nh3), its images found and swapped for the
clinic's own copies, then converted to Markdown (markdownify), the form posts are
kept in. Whatever the old site's HTML held (script, style, event handlers, iframes,
`javascript:` links), none of it survives into the Markdown."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import nh3
from bs4 import BeautifulSoup
from markdownify import markdownify

#: What an article may carry across; everything else is dropped (its text kept),
#: script/style/etc. with their content.
TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "figure", "figcaption", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "strong", "sub",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "srcset", "data-src", "data-pin-media"},
}
DROP_WITH_CONTENT = {"script", "style", "noscript", "iframe", "object", "embed", "template", "svg"}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Wix serves resized copies as <original>/v1/fill/w_740,h_493,.../name.jpg; the original
# file is the part before /v1/.
_WIX_RESIZED = re.compile(
    r"^(?P<original>https?://[^/]+/media/[^/?#]+?\.(?:jpe?g|png|gif|webp|avif|heic))/v1/.*$",
    re.IGNORECASE,
)
# WordPress: name-1024x768.jpg is a resized copy of name.jpg.
_WP_RESIZED = re.compile(r"^(?P<stem>.+/wp-content/uploads/.+?)-\d{2,5}x\d{2,5}(?P<ext>\.\w+)$")


def sanitise(html: str) -> str:
    return nh3.clean(
        html or "",
        tags=TAGS,
        attributes=ATTRIBUTES,
        clean_content_tags=DROP_WITH_CONTENT,
        url_schemes=URL_SCHEMES,
        link_rel=None,
    )


def original_image_url(url: str) -> str:
    """The full-size file behind a resized copy's URL (Wix, WordPress), else `url`."""
    match = _WIX_RESIZED.match(url)
    if match:
        return match["original"]
    match = _WP_RESIZED.match(url.split("?", 1)[0])
    if match:
        return match["stem"] + match["ext"]
    return url


def _img_source(img, base_url: str) -> str | None:
    """The image's absolute URL at full size: the widest srcset entry, a lazy loader's
    data-src, or src; never a data: URL."""
    candidates = []
    srcset = img.get("srcset") or ""
    best_width = -1
    for part in srcset.split(","):
        bits = part.strip().split()
        if not bits:
            continue
        width = (
            int(bits[1][:-1])
            if len(bits) > 1
            and bits[1].endswith("w")
            and bits[1][:-1].isascii()
            and bits[1][:-1].isdigit()
            else 0
        )
        if width > best_width:
            best_width, best = width, bits[0]
    if best_width >= 0:
        candidates.append(best)
    candidates += [img.get("data-pin-media"), img.get("data-src"), img.get("src")]
    for candidate in candidates:
        if candidate and not candidate.startswith("data:"):
            absolute = urljoin(base_url, candidate.strip())
            if urlsplit(absolute).scheme in ("http", "https"):
                return original_image_url(absolute)
    return None


def image_urls(html: str, base_url: str) -> list[str]:
    """The full-size URLs of the images in a post's (sanitised) HTML, in order, once each."""
    soup = BeautifulSoup(sanitise(html), "html.parser")
    found: list[str] = []
    for img in soup.find_all("img"):
        url = _img_source(img, base_url)
        if url and url not in found:
            found.append(url)
    return found


def to_markdown(
    html: str,
    base_url: str,
    image_for: Callable[[str], str | None],
    old_hosts: set[str] | None = None,
) -> str:
    """Sanitise, point each image at `image_for(full-size URL)` (None drops the image),
    make links to the old site relative (they answer with 301s after the import), and
    convert to Markdown. h1 becomes h2 (the page title is the post's h1)."""
    soup = BeautifulSoup(sanitise(html), "html.parser")
    for img in soup.find_all("img"):
        url = _img_source(img, base_url)
        local = image_for(url) if url else None
        if not local:
            img.decompose()
            continue
        alt = img.get("alt", "")
        img.attrs = {"src": local, "alt": alt}
    hosts = {h.lower() for h in (old_hosts or set())}
    for link in soup.find_all("a"):
        href = link.get("href")
        if not href:
            continue
        absolute = urljoin(base_url, href)
        parts = urlsplit(absolute)
        if (parts.hostname or "").lower() in hosts:
            link["href"] = (parts.path or "/") + (f"#{parts.fragment}" if parts.fragment else "")
        else:
            link["href"] = absolute
    for heading in soup.find_all("h1"):
        heading.name = "h2"
    text = markdownify(str(soup), heading_style="ATX", bullets="-", escape_underscores=False)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n"


def plain_text(html: str, limit: int = 300) -> str:
    """Words only (an excerpt from HTML), at most `limit` characters, cut at a word."""
    text = " ".join(BeautifulSoup(sanitise(html), "html.parser").get_text(" ").split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
