"""A local HTTP server on loopback serving fixture sites the tests build: never the
internet. `site.add(path, body, status=…, headers=…, delay=…)`; `site.hits` lists the
paths requested; `site.url(path)` is the absolute URL."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Route:
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class FixtureSite:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[str] = []
        self.port = 0

    def add(self, path: str, body: bytes | str, status: int = 200, delay: float = 0.0, **headers):
        if isinstance(body, str):
            body = body.encode()
        self.routes[path] = Route(
            body, status, {k.replace("_", "-"): v for k, v in headers.items()}, delay
        )

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _handler(site: FixtureSite):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            site.hits.append(self.path)
            route = site.routes.get(self.path)
            if route is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if route.delay:
                time.sleep(route.delay)
            self.send_response(route.status)
            for key, value in route.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(route.body)

        def log_message(self, *args):  # quiet
            pass

    return Handler


@pytest.fixture
def fixture_site() -> Iterator[FixtureSite]:
    site = FixtureSite()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    site.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield site
    server.shutdown()
    server.server_close()


@pytest.fixture
def import_app(make_app):
    """The app with loopback allowed for the import (the fixture sites live there)."""
    return make_app(IMPORT_ALLOWED_NETWORKS="127.0.0.0/8 ::1/128", IMPORT_TIMEOUT_SECONDS=5)
