"""nginx for the local stack: Debian's binary with its own prefix, config and certificate.

The locations include deploy/nginx/proxy.conf, cache.conf and compress.conf, the very
files a real server uses (deploy/nginx/meridian.conf); only ports, paths and the
certificate differ.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .services import ROOT, Proc

SNIPPETS = ROOT / "deploy" / "nginx"

CONF = """daemon off;
worker_processes 2;
pid {run}/nginx.pid;
error_log {run}/log/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log {run}/log/nginx-access.log;
    client_body_temp_path {run}/nginx/client_body;
    proxy_temp_path {run}/nginx/proxy;
    fastcgi_temp_path {run}/nginx/fastcgi;
    uwsgi_temp_path {run}/nginx/uwsgi;
    scgi_temp_path {run}/nginx/scgi;
    types {{ text/html html; text/css css; application/javascript js; image/svg+xml svg; }}
    default_type application/octet-stream;
    sendfile on;
    server_tokens off;
    client_max_body_size 64m;
    keepalive_requests 10000;

    proxy_cache_path {run}/nginx/cache levels=1:2 keys_zone=meridian:10m max_size=256m inactive=10m use_temp_path=off;
    map $http_cookie $meridian_private {{
        default 0;
        "~*(^|;\\s*)(session|remember_token)=" 1;
    }}

    upstream meridian_app {{
{upstreams}
        keepalive 32;
    }}

    server {{
        listen 127.0.0.1:{http_port};
        server_name _;
        location / {{ return 301 https://$host:{https_port}$request_uri; }}
    }}

    server {{
        listen 127.0.0.1:{https_port} ssl http2 default_server;
        server_name _;
        ssl_certificate {run}/tls/server.pem;
        ssl_certificate_key {run}/tls/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;

        location = /healthz {{ access_log off; include {snippets}/proxy.conf; }}
        location / {{
            include {snippets}/proxy.conf;
            include {snippets}/cache.conf;
            include {snippets}/compress.conf;
        }}
        # Signed-in and personal areas: never through the cache, whatever they answer.
        location ~ ^/(studio|admin|book|account|auth|login|logout)(/|$) {{
            include {snippets}/proxy.conf;
        }}
    }}
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(found).exists():
        raise RuntimeError("nginx is missing: apt-get install nginx-light")
    return found


def nginx(run: Path, http_port: int, https_port: int, app_ports: list[int]) -> Proc:
    for sub in ("nginx/cache", "log"):
        (run / sub).mkdir(parents=True, exist_ok=True)
    upstreams = "\n".join(
        f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;" for port in app_ports
    )
    conf = run / "nginx.conf"
    conf.write_text(
        CONF.format(
            run=run,
            http_port=http_port,
            https_port=https_port,
            upstreams=upstreams,
            snippets=SNIPPETS,
        )
    )
    args = [
        nginx_binary(),
        "-p",
        str(run / "nginx"),
        "-c",
        str(conf),
        "-e",
        str(run / "log/nginx-error.log"),
    ]
    return Proc("nginx", args, run, port=https_port)
