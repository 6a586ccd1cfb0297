"""Nothing from the request shapes a cached page: not SCRIPT_NAME, X-Forwarded-*,
Forwarded, X-Original-URL, nor an absolute URI in the request line.

Each public page is requested first with every such input set (so the poisoned request
is the one that fills the page cache), then plainly: the plain answer is a cache hit
and byte for byte the page a clean cache renders. The last test runs the real server
with the shipped gunicorn.conf.py, from a trusted forwarder's address.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from meridian.extensions import cache
from tests.test_security_headers import SAMPLE_ARGS

ROOT = Path(__file__).resolve().parents[1]
HOST = "zak-clinic.localhost"
EVIL = "evil.example"
POISON_HEADERS = {
    "X-Forwarded-Host": EVIL,
    "X-Forwarded-Prefix": f"//{EVIL}",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Port": "8443",
    "X-Forwarded-Server": EVIL,
    "Forwarded": f"for=1.2.3.4;host={EVIL};proto=https",
    "X-Original-URL": f"//{EVIL}/x",
    "X-Rewrite-URL": f"//{EVIL}/x",
    "X-Original-Host": EVIL,
}


def public_pages(app) -> list[str]:
    """Every GET route whose view is a cached public page (they declare it)."""
    paths = []
    with app.test_request_context():
        adapter = app.url_map.bind(HOST)
        for rule in app.url_map.iter_rules():
            view = app.view_functions[rule.endpoint]
            if rule.endpoint == "index" or getattr(view, "public_page", False):
                values = {
                    arg: SAMPLE_ARGS.get(f"{rule.endpoint}:{arg}", SAMPLE_ARGS.get(arg, "x"))
                    for arg in rule.arguments
                }
                paths.append(adapter.build(rule.endpoint, values))
    return sorted(paths)


def test_the_walk_finds_the_public_pages(app):
    pages = public_pages(app)
    assert {"/", "/blog", "/faq", "/sitemap.xml", "/feed.xml", "/robots.txt"} <= set(pages)
    assert any(p.startswith("/blog/tag/") for p in pages)


@pytest.mark.parametrize("proxies", [0, 1])
def test_poisoned_requests_cannot_shape_a_cached_page(demo, app, make_app, client_for, proxies):
    behind = make_app(PROXY_COUNT=proxies)
    client = client_for(HOST, behind)
    clean = {}
    for path in public_pages(app):
        response = client.get(path)
        if response.status_code == 200:  # pages whose sample argument names a real row
            clean[path] = response.get_data()
    assert {"/", "/blog", "/sitemap.xml"} <= set(clean)
    cache.clear()
    for path in clean:
        poisoned = client.get(path, headers=POISON_HEADERS)
        assert poisoned.headers.get("X-Page-Cache") == "miss", path  # it filled the cache
        assert EVIL.encode() not in poisoned.get_data(), path
        # What gunicorn made of the review's request: a prefix taken from a header.
        prefixed = client.get(path, environ_overrides={"SCRIPT_NAME": f"//{EVIL}"})
        assert EVIL.encode() not in prefixed.get_data(), path
        again = client.get(path)
        assert again.headers.get("X-Page-Cache") == "hit", path
        assert again.get_data() == clean[path], path


def test_a_script_name_from_the_server_does_not_move_the_links(demo, client_for):
    """A server that strips a header-given prefix: the path is routed as the client sent it."""
    client = client_for(HOST)
    response = client.get("/blog", environ_overrides={"SCRIPT_NAME": "/blog", "PATH_INFO": ""})
    assert response.status_code == 200
    assert 'href="/blog/' in response.text and 'href="/blog/blog' not in response.text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _raw(port: int, request: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode("latin-1"))
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture
def gunicorn_server(demo, database_url, tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN", "FORWARDED"))} | {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "a-long-random-test-secret-0123456789abcdef",
        "MERIDIAN_INSTANCE": str(tmp_path),
        "PUBLIC_SCHEME": "http",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_ACCESSLOG": "/dev/null",
        "RATE_LIMITS_ENABLED": "0",
    }
    env.pop("SCRIPT_NAME", None)
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            _raw(port, f"GET /robots.txt HTTP/1.0\r\nHost: {HOST}\r\n\r\n")
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(process.stderr.read().decode())
            time.sleep(0.2)
    yield port
    process.terminate()
    process.wait(timeout=10)
    process.stderr.close()


def test_gunicorn_with_the_shipped_settings_ignores_script_name_and_absolute_uris(
    gunicorn_server,
):
    port = gunicorn_server
    attacks = [
        # The review's case: a trusted forwarder's address, a SCRIPT_NAME header.
        f"GET //{EVIL}/blog HTTP/1.1\r\nHost: {HOST}\r\nSCRIPT_NAME: //{EVIL}\r\n",
        f"GET /blog HTTP/1.1\r\nHost: {HOST}\r\nSCRIPT_NAME: /blog\r\n",
        f"GET http://{EVIL}/blog HTTP/1.1\r\nHost: {HOST}\r\n",
        f"GET /blog HTTP/1.1\r\nHost: {HOST}\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in POISON_HEADERS.items()),
    ]
    for attack in attacks:
        answer = _raw(port, attack + "Connection: close\r\n\r\n")
        assert EVIL.encode() not in answer.partition(b"\r\n\r\n")[2], attack
    plain = _raw(port, f"GET /blog HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n")
    head, _, body = plain.partition(b"\r\n\r\n")
    assert b" 200 " in head.split(b"\r\n")[0]
    assert EVIL.encode() not in body
    links = re.findall(rb'href="([^"]+)"', body)
    assert links and all(not link.startswith(b"//") for link in links), links
