"""The public engagement blueprint: reader POSTs and the small pages around them.

Never inside the page cache: every response says `private, no-store` (they carry a
reader's input, a per-browser answer or a one-time token). Exempt from the session
CSRF check because the forms live on cookie-free cached pages; `guard.from_own_site`
and the other checks in guard.py stand in for it.
"""

from __future__ import annotations

from flask import Response, make_response, render_template
from markupsafe import Markup

from .. import guard
from ..share import share_targets
from ..text import reader_html

bp = guard.reader_blueprint("engagement", __name__)
bp.add_app_template_global(share_targets, "share_targets")


@bp.app_template_filter("reader_html")
def reader_html_filter(text: str, links: bool = False) -> Markup:
    return reader_html(text, links)


def page(template: str, status: int = 200, **context: object) -> Response:
    """A branded engagement page (templates/engagement/<template>) with this status."""
    return make_response(render_template(f"engagement/{template}", **context), status)


def own_site_only() -> Response | None:
    """None if the POST may go on; else the refusal for a POST from another site."""
    return None if guard.from_own_site() else page("refused.html", 403)


from . import comments, contact, likes, stamps, subscriptions  # noqa: E402, F401  (routes)
