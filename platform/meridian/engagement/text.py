"""Readers' text as HTML: escaped, paragraphs kept, and web links made clickable only
when asked (approved comments), always `http(s)` and `rel="nofollow ugc noopener"`.

Nothing a reader types is ever interpreted as markup: every piece goes through
`markupsafe.escape`; a `javascript:` "link" stays plain text because only `http://`,
`https://` and `www.` start a link.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}"


def _link(url: str) -> tuple[Markup, str]:
    """An anchor for `url` and whatever trailing punctuation belongs to the sentence."""
    tail = ""
    while url and url[-1] in _TRAILING:
        tail = url[-1] + tail
        url = url[:-1]
    href = url if url.lower().startswith(("http://", "https://")) else f"https://{url}"
    anchor = Markup('<a href="{}" rel="nofollow ugc noopener">{}</a>').format(href, url)
    return anchor, tail


def _line(text: str, links: bool) -> Markup:
    if not links:
        return escape(text)
    out = Markup()
    last = 0
    for match in _URL.finditer(text):
        anchor, tail = _link(match.group(0))
        out += escape(text[last : match.start()]) + anchor + escape(tail)
        last = match.end()
    return out + escape(text[last:])


def reader_html(text: str, links: bool = False) -> Markup:
    """Paragraphs (blank lines) and line breaks of plain text, safely escaped."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()) if p]
    html = Markup()
    for paragraph in paragraphs:
        lines = [_line(line, links) for line in paragraph.split("\n")]
        html += Markup("<p>") + Markup("<br>").join(lines) + Markup("</p>")
    return html
