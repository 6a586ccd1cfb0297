"""Markdown to safe HTML: a real parser, then an allow-list sanitiser.

Owners are trusted with their site's words, not with script: whatever HTML a post
contains, `<script>`, event handlers and `javascript:` URLs never survive.
"""

from __future__ import annotations

import math
import re

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable(
    "table"
)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"scope"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def _same_site_images(element: str, attribute: str, value: str) -> str | None:
    """Images must be served by the clinic's own site: the CSP (img-src 'self') would block
    any other, and loading one would tell a third party who reads the post."""
    if (
        element == "img"
        and attribute == "src"
        and not (value.startswith("/") and not value.startswith("//"))
    ):
        return None
    return value


def render_markdown(text: str) -> str:
    """Render Markdown and sanitise the result (h1 is reserved for the page title)."""
    html = _md.render(text or "")
    html = re.sub(r"<(/?)h1>", r"<\1h2>", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_same_site_images,
    )


def plain_words(text: str) -> int:
    return len(re.findall(r"\w+", text or ""))


def reading_minutes(text: str, words_per_minute: int = 200) -> int:
    return max(1, math.ceil(plain_words(text) / words_per_minute))
