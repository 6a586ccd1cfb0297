"""Security headers on every response, error pages included."""

from __future__ import annotations

from flask import Flask, Response, current_app

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


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = headers_for(app.config)
    app.after_request(add_security_headers)
