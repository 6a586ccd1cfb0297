"""Old addresses of a clinic's pages answer 301 to where the page lives now.

Consulted only when a request on a clinic host would otherwise be a 404, so reading
pages pay nothing for it. The table is written by `content.redirects` (a published
post's slug change; later the blog import).
"""

from __future__ import annotations

from flask import Response, g, redirect, request

from ..content import redirects


def moved_answer() -> Response | None:
    """A 301 for a GET/HEAD of a path this clinic has moved, else None."""
    tenant = g.get("tenant")
    if tenant is None or request.method not in ("GET", "HEAD"):
        return None
    target = redirects.target(tenant, request.path)
    if target is None:
        return None
    query = request.query_string.decode("latin-1")
    response = redirect(f"{target}?{query}" if query else target, code=301)
    response.cache_control.public = True
    response.cache_control.max_age = 86_400
    return response
