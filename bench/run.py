"""`make bench`: a demo clinic under gunicorn beside nginx serving the very same bytes.

1. Builds a fresh SQLite database in a temporary instance folder with the real
   migrations and loads the demo bundles (production settings: no debug, https links).
2. Counts SQL statements per page in-process (a cache miss and a cache hit).
3. Starts gunicorn (2 sync workers; optionally other server variants, --servers) and
   nginx (Debian's, as a non-daemon with a temporary config) on loopback ports, with
   nginx serving a static copy of each page's exact bytes as fetched from the app.
4. Loads each page with wrk, alternating app and nginx, for --rounds rounds of
   --seconds each, and prints the median req/s, p50 and p99 latency, bytes per page,
   SQL statements per page and the app/nginx ratio.

Everything listens on 127.0.0.1 only and every run is bounded in time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "zak-clinic.localhost"


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    endpoint: str
    signed_in: bool = False  # with an owner's session cookie (the studio)


PAGES = [
    Page("home", "/", "index"),
    Page("blog index", "/blog", "site.blog"),
    Page("post", "/blog/can-acupuncture-help-with-dry-eye", "site.post"),
    # --- BOOKING: measured automatically once the booking blueprint registers it ---
    Page("booking", "/book", "booking.start"),
    Page("studio", "/studio/", "studio.home", signed_in=True),
]
#: "session=…" for an owner of the clinic, made by `count_statements` (studio pages).
COOKIE: list[str] = []

SERVERS = {
    # name: command (after `python -m`), {port} filled in. granian is optional
    # (pip install -e '.[bench]'); gunicorn with 2 sync workers is the reference.
    "gunicorn-sync": ["gunicorn", "-w", "2", "-k", "sync", "-b", "127.0.0.1:{port}", "wsgi:app"],
    "gunicorn-gthread": [
        "gunicorn",
        "-w",
        "2",
        "-k",
        "gthread",
        "--threads",
        "4",
        "-b",
        "127.0.0.1:{port}",
        "wsgi:app",
    ],
    "granian": [
        "granian",
        "--interface",
        "wsgi",
        "--workers",
        "2",
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
        # as shipped (deploy/systemd/meridian-app.service, make prod)
        "--blocking-threads",
        "8",
        "--log-level",
        "warning",
        "wsgi:app",
    ],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


def fetch(
    port: int, path: str, host: str = HOST, cookie: str = ""
) -> tuple[int, bytes, dict[str, str]]:
    headers = {"Host": host} | ({"Cookie": cookie} if cookie else {})
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read(), _lower(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), _lower(error.headers)


def _lower(headers) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def app_env(instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "REDIS_"))}
    env.update(
        MERIDIAN_INSTANCE=str(instance),
        DATABASE_URL=f"sqlite:///{instance / 'bench.sqlite3'}",
        SECRET_KEY=secrets.token_hex(32),
        PUBLIC_SCHEME="https",
        PYTHONDONTWRITEBYTECODE="1",
        # Reading pages only, several workers, no Redis: gunicorn.conf.py would refuse
        # in-memory rate-limit counts, which the bench never exercises.
        RATE_LIMITS_ENABLED="0",
        # As behind make prod's nginx: ProxyFix for one proxy, pages kept ≤ 1 s there.
        PROXY_COUNT="1",
        PROXY_CACHE_SECONDS="1",
    )
    return env


def build_database(env: dict[str, str]) -> None:
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    bundles = sorted(str(p) for p in (ROOT / "tenants").iterdir() if p.is_dir())
    subprocess.run(
        [*flask, "tenants", "load", *bundles], cwd=ROOT, env=env, check=True, capture_output=True
    )


def count_statements(env: dict[str, str], pages: list[Page]) -> tuple[dict[str, tuple], set[str]]:
    """SQL statements per page on a cache miss and on a hit, counted in this process."""
    os.environ.update(env)
    from sqlalchemy import event

    from meridian import create_app
    from meridian.extensions import cache, db

    app = create_app()
    counts: dict[str, tuple[int, int]] = {}
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    client = app.test_client(use_cookies=False)  # our Cookie header, as sent
    if "studio.home" in app.view_functions:
        COOKIE.append(owner_session(app))
    for page in pages:
        if page.endpoint not in app.view_functions:
            continue
        headers = {"Cookie": COOKIE[0]} if page.signed_in else {}
        with app.app_context():
            cache.clear()
        result = []
        for _ in range(2):
            statements.clear()
            response = client.get(page.path, base_url=f"https://{HOST}", headers=headers)
            assert response.status_code == 200, (page.path, response.status_code)
            result.append(len(statements))
        counts[page.name] = tuple(result)
    with app.app_context():
        db.engine.dispose()
    return counts, set(app.view_functions)


def owner_session(app) -> str:
    """A signed-in session cookie for a new owner of the clinic, as if they had signed in."""
    from flask import g
    from sqlalchemy import select

    from meridian.auth.sessions import session_fields
    from meridian.extensions import db
    from meridian.models import Membership, Tenant, User

    with app.test_request_context(base_url=f"https://{HOST}"):
        tenant = db.session.scalars(select(Tenant).where(Tenant.slug == "zak-clinic")).one()
        user = User(email="bench-owner@zak-clinic.example", display_name="Bench owner")
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(tenant_id=tenant.id, user_id=user.id, role="owner"))
        db.session.commit()
        g.tenant = tenant
        data = {"_user_id": user.get_id(), "_fresh": True, **session_fields(user)}
        value = app.session_interface.get_signing_serializer(app).dumps(data)
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


NGINX_CONF = """daemon off;
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    types {{ text/html html; }}
    server {{
        listen 127.0.0.1:{port};
        root {tmp}/static;
        location / {{ try_files $uri =404; }}
    }}
    # make prod's proxy cache: the very snippets of deploy/nginx, in front of the app.
    proxy_cache_path {tmp}/cache levels=1:2 keys_zone=meridian:10m max_size=64m inactive=1m use_temp_path=off;
    map $http_cookie $meridian_private {{ default 0; "~*(^|;\\s*)(session|remember_token)=" 1; }}
    upstream meridian_app {{ server 127.0.0.1:{app_port}; keepalive 32; }}
    server {{
        listen 127.0.0.1:{proxy_port};
        location / {{
            include {snippets}/proxy.conf;
            include {snippets}/cache.conf;
        }}
    }}
}}
"""


def start_nginx(tmp: Path, port: int, proxy_port: int, app_port: int) -> subprocess.Popen:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    conf = tmp / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            tmp=tmp,
            port=port,
            proxy_port=proxy_port,
            app_port=app_port,
            snippets=ROOT / "deploy" / "nginx",
        )
    )
    process = subprocess.Popen(
        [nginx, "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "nginx-error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(port)
    return process


def start_app_server(env: dict[str, str], port: int, command: list[str]) -> subprocess.Popen:
    args = [part.format(port=port) for part in command]
    process = subprocess.Popen(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for(port)
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(
    port: int, path: str, host: str, seconds: int, connections: int, cookie: str = ""
) -> dict[str, float]:
    extra = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "5s",
            "-H",
            f"Host: {host}",
            *extra,
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {}
    for pct in ("50", "99"):
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)\b", out).groups()
        latency[pct] = float(value) * UNITS[unit]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if errors:
        raise SystemExit(f"wrk saw {errors.group(1)} error responses on {path}:\n{out}")
    return {"rps": rps, "p50": latency["50"], "p99": latency["99"]}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nginx = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {nginx}"
    )


def measure(options, results, key, port, path, cookie: str = "") -> None:
    print(f"  wrk {options.seconds}s {key[1]:<24} {key[0]}", flush=True)
    run = wrk(port, path, HOST, options.seconds, options.connections, cookie)
    results.setdefault(key, []).append(run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 4)))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 2)))
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--servers", default="gunicorn-sync", help=f"comma-separated, from {', '.join(SERVERS)}"
    )
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    options = parser.parse_args()
    servers = [s for s in options.servers.split(",") if s]
    wanted = {p.strip() for p in options.pages.split(",") if p.strip()}
    for tool in ("wrk", "nginx"):
        if not (shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists()):
            raise SystemExit(
                f"{tool} is missing: apt-get install {tool}{'-light' * (tool == 'nginx')}"
            )

    with tempfile.TemporaryDirectory(prefix="meridian-bench-") as tmp_name:
        tmp = Path(tmp_name)
        tmp.chmod(0o755)  # nginx's workers run as an unprivileged user and read static/
        instance = tmp / "instance"
        instance.mkdir()
        env = app_env(instance)
        print("building the database (migrations + demo bundles)…", flush=True)
        build_database(env)
        sql, endpoints = count_statements(env, PAGES)
        pages = [p for p in PAGES if p.endpoint in endpoints and (not wanted or p.name in wanted)]
        skipped = [p.name for p in PAGES if p.endpoint not in endpoints]

        static = tmp / "static"
        static.mkdir()
        nginx_port, proxy_port, app_port = free_port(), free_port(), free_port()
        nginx = start_nginx(tmp, nginx_port, proxy_port, app_port)
        results: dict[tuple[str, str], list[dict[str, float]]] = {}
        sizes: dict[str, int] = {}
        bare_pages: dict[str, list[str]] = {}
        try:
            for server in servers:
                app = start_app_server(env, app_port, SERVERS[server])
                try:
                    for index, page in enumerate(pages):
                        cookie = COOKIE[0] if page.signed_in else ""
                        status, body, headers = fetch(app_port, page.path, cookie=cookie)
                        assert status == 200, (page.path, status)
                        if page.signed_in:  # personal: never cached, measured as it is
                            for _ in range(options.rounds):
                                measure(
                                    options,
                                    results,
                                    (page.name, server),
                                    app_port,
                                    page.path,
                                    cookie,
                                )
                            sizes[page.name] = len(body)
                            continue
                        assert fetch(app_port, page.path)[1] == body, "the page changed"
                        sizes[page.name] = len(body)
                        static_name = f"page{index}.html"
                        (static / static_name).write_bytes(body)
                        bare_pages[page.path] = [str(static / static_name), headers["content-type"]]
                        assert fetch(nginx_port, f"/{static_name}")[1] == body, "nginx: same bytes"
                        cacheable = "x-accel-expires" in headers
                        if cacheable:
                            assert fetch(proxy_port, page.path)[1] == body, "proxy: same bytes"
                        for _ in range(options.rounds):  # alternate: app, nginx, proxy, …
                            measure(options, results, (page.name, server), app_port, page.path)
                            measure(
                                options,
                                results,
                                (page.name, "nginx"),
                                nginx_port,
                                f"/{static_name}",
                            )
                            if cacheable:
                                measure(
                                    options, results, (page.name, "proxy"), proxy_port, page.path
                                )
                finally:
                    stop(app)
                pages_file = tmp / "bare-pages.json"
                pages_file.write_text(json.dumps(bare_pages))
                bare_env = env | {"BENCH_BARE_PAGES": str(pages_file)}
                bare_command = [
                    part.replace("wsgi:app", "bench.bare:app") for part in SERVERS[server]
                ]
                bare = start_app_server(bare_env, app_port, bare_command)
                try:
                    for page in (p for p in pages if p.path in bare_pages):
                        assert fetch(app_port, page.path)[1] == (
                            Path(bare_pages[page.path][0]).read_bytes()
                        )
                        for _ in range(options.rounds):
                            measure(
                                options, results, (page.name, f"bare {server}"), app_port, page.path
                            )
                finally:
                    stop(bare)
        finally:
            stop(nginx)

    def median(page: str, target: str, key: str) -> float:
        return statistics.median(r[key] for r in results[(page, target)])

    lines = [
        f"machine: {machine()}",
        f"wrk: 2 threads, {options.connections} connections, {options.seconds}s x "
        f"{options.rounds} rounds per page and server (medians), loopback; host {HOST}",
        "",
        "| page | served by | req/s | p50 ms | p99 ms | vs nginx static | app vs bare Flask |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for page in pages:
        if (page.name, "nginx") not in results:  # the studio: the app alone
            for target in servers:
                lines.append(
                    f"| {page.name} | {target} (signed in) | {median(page.name, target, 'rps'):,.0f} "
                    f"| {median(page.name, target, 'p50'):.2f} "
                    f"| {median(page.name, target, 'p99'):.2f} | – | – |"
                )
            continue
        ceiling = median(page.name, "nginx", "rps")
        targets = [*servers, *(f"bare {s}" for s in servers), "proxy", "nginx"]
        for target in targets:
            if (page.name, target) not in results:
                continue
            rps = median(page.name, target, "rps")
            label = {
                "proxy": "make prod's proxy cache (nginx)",
                "nginx": "nginx, same bytes (static)",
            }.get(target, target)
            vs_bare = ""
            if target in servers:
                vs_bare = f"{rps / median(page.name, f'bare {target}', 'rps'):.0%}"
            lines.append(
                f"| {page.name} | {label} | {rps:,.0f} | {median(page.name, target, 'p50'):.2f} "
                f"| {median(page.name, target, 'p99'):.2f} | 1/{ceiling / rps:.1f} | {vs_bare} |"
            )
    lines.append("")
    lines.append(
        "SQL statements per page (cache miss/hit, in-process): "
        + ", ".join(f"{name} {miss}/{hit}" for name, (miss, hit) in sql.items())
        + "; bytes: "
        + ", ".join(f"{name} {size:,}" for name, size in sizes.items())
    )
    if skipped:
        lines.append(f"\nnot measured (endpoint not registered yet): {', '.join(skipped)}")
    report = "\n".join(lines)
    print("\n" + report)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "latest.md").write_text(report + "\n")
    print(f"\n(written to {out / 'latest.md'})")


if __name__ == "__main__":
    main()
