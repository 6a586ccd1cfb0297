"""What the application takes from the proxy in front of it, and what it never takes.

Meridian serves every clinic at the root of the clinic's own domains, so the script
root is configuration (`/`), never the request: a `SCRIPT_NAME` set by a server from a
header (gunicorn honours one from `forwarded_allow_ips`), `X-Forwarded-Prefix`,
`X-Forwarded-Host`, `Forwarded`, `X-Original-URL` and an absolute URI in the request
line cannot change a link on a page, and so cannot poison the page cache. The Host
header alone picks the tenant (tenancy.py); absolute links come from the tenant's
primary domain and PUBLIC_SCHEME/PUBLIC_PORT (urls.py).

From `PROXY_COUNT` trusted proxies we take the client address (rate limits) and the
scheme (X-Forwarded-For, X-Forwarded-Proto) and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

#: Request headers that name another host, prefix or URL; dropped before Flask sees them.
IGNORED_HEADERS = (
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PREFIX",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_SERVER",
    "HTTP_FORWARDED",
    "HTTP_X_ORIGINAL_URL",
    "HTTP_X_REWRITE_URL",
    "HTTP_X_ORIGINAL_HOST",
    "HTTP_SCRIPT_NAME",
)


class PinnedRoot:
    """WSGI middleware: SCRIPT_NAME is always empty (the full path is PATH_INFO)."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        prefix = environ.get("SCRIPT_NAME", "")
        if prefix:
            # A server that stripped a header-given prefix gets it back: the path the
            # client sent is routed as sent (and a `//evil.example/...` path is a 404).
            environ["PATH_INFO"] = prefix + environ.get("PATH_INFO", "")
            environ["SCRIPT_NAME"] = ""
        for name in IGNORED_HEADERS:
            environ.pop(name, None)
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    hops = app.config["PROXY_COUNT"]
    wsgi = app.wsgi_app
    if hops:
        # x_host and x_prefix stay 0: the Host header alone decides the tenant.
        wsgi = ProxyFix(wsgi, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)
    app.wsgi_app = PinnedRoot(wsgi)  # type: ignore[method-assign]
