"""Security headers on every response, error pages included, and who may cache it.

Caching is opt-in: a response that says nothing about caching (every page but the
public reading pages and static files) gets `Cache-Control: private, no-store`, and so
does any response that read or wrote the session (it may carry a visitor's data or set
a cookie), whatever it said before.
"""

from __future__ import annotations

from flask import Flask, Response, current_app
from flask.sessions import SessionMixin

from .hotpath import SessionInterface

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

#: Where the application keeps its computed headers (`headers_for`).
EXTENSION = "meridian_security_headers"

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "X-Frame-Options": "DENY",
}


def headers_for(config) -> tuple[tuple[str, str, str], ...]:
    """Every security header with its value, computed once per application."""
    headers = dict(HEADERS)
    hsts = config.get("HSTS_SECONDS", 0)
    if hsts:
        headers["Strict-Transport-Security"] = f"max-age={hsts}; includeSubDomains"
    return tuple((name, name.lower(), value) for name, value in headers.items())


def add_security_headers(response: Response) -> Response:
    """after_request: add each header the view did not set itself."""
    if getattr(response, "has_security_headers", False):
        return response  # built with them (pagecache)
    fixed = current_app.extensions[EXTENSION]
    headers = response.headers
    present = {name.lower() for name, _ in headers.items()}
    for name, lower, value in fixed:
        if lower not in present:
            headers.add(name, value)
    return response


def _no_store(response: Response) -> None:
    response.headers.pop("Expires", None)
    response.headers["Cache-Control"] = "private, no-store"


def no_store_unless_public(response: Response) -> Response:
    """after_request: a response that chose no caching policy may not be stored."""
    cache = response.cache_control
    if not (cache.public or cache.no_cache or cache.max_age is not None or cache.no_store):
        _no_store(response)
    return response


class NoStoreSessionInterface(SessionInterface):
    """Runs after every after_request function, when the cookie is known: a response
    that read or wrote the session, or sets any cookie, is private and never stored."""

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        super().save_session(app, session, response)
        if session.accessed or "Set-Cookie" in response.headers:
            _no_store(response)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = headers_for(app.config)
    app.session_interface = NoStoreSessionInterface()
    app.after_request(no_store_unless_public)
    app.after_request(add_security_headers)
