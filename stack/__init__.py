"""A production-shaped Meridian on loopback: `make prod` (and the drills in tests/drills).

nginx (TLS from a locally generated CA, HTTP -> HTTPS, HSTS, the proxy cache) in front
of two app servers on their own ports standing for two hosts, PostgreSQL, Redis, one
worker, an SMTP sink and an S3-compatible media bucket (moto). `Stack.up()` starts
everything from the repository alone, creating the database, running the migrations
and loading the demo clinics if needed; `Stack.down()` stops what it started by pid.

`make prod` uses the machine's PostgreSQL (database `meridian_prod`) and Redis (db 5).
The drills pass `private=True`: a PostgreSQL cluster and a Redis of their own on free
ports, which they may restart or stop without touching anyone else's.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .nginx import nginx
from .services import ROOT, Proc, free_port, private_postgres, private_redis, s3_server, smtp_sink

#: The app server chosen on bench/ evidence (bench/README.md, "Which server").
SERVERS = {
    "gunicorn": ["-m", "gunicorn", "-w", "{workers}", "-b", "127.0.0.1:{port}", "wsgi:app"],
    # As in deploy/systemd/meridian-app.service: threads bounded below the DB pool.
    "granian": [
        "-m", "granian", "--interface", "wsgi", "--workers", "{workers}", "--host", "127.0.0.1",
        "--port", "{port}", "--blocking-threads", "8", "--respawn-failed-workers",
        "--log-level", "warning", "wsgi:app",
    ],
}  # fmt: skip
DEFAULT_SERVER = os.environ.get("PROD_SERVER", "granian")
S3_BUCKET = "meridian-media"


@dataclass
class Stack:
    run: Path = ROOT / "run" / "prod"
    https_port: int = 8443
    http_port: int = 8080
    app_ports: tuple[int, ...] = (8001, 8002)
    server: str = DEFAULT_SERVER
    workers: int = 2
    private: bool = False  # own PostgreSQL + Redis (drills), else the machine's
    database: str = "meridian_prod"
    redis_db: int = 5
    smtp_delay: float = 0.0  # seconds the SMTP sink takes per message (drills)
    extra_env: dict[str, str] = field(default_factory=dict)
    procs: dict[str, Proc] = field(default_factory=dict)

    # --- the parts -------------------------------------------------------------
    def _service(self, proc: Proc) -> Proc:
        self.procs[proc.name] = proc.start()
        return proc

    def _database_url(self) -> str:
        if self.private:
            port = free_port()
            self._service(private_postgres(self.run, port))
            self.pg_port = port
        else:
            self.pg_port = 5432
        return f"postgresql://postgres@127.0.0.1:{self.pg_port}/{self.database}"

    def _redis_url(self) -> str:
        if self.private:
            self.redis_port = free_port()
            self._service(private_redis(self.run, self.redis_port))
            return f"redis://127.0.0.1:{self.redis_port}/0"
        self.redis_port = 6379
        return f"redis://127.0.0.1:6379/{self.redis_db}"

    def _secret(self) -> str:
        path = self.run / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_hex(32))
        return path.read_text().strip()

    def env(self) -> dict[str, str]:
        """The production environment every app process gets (deploy/meridian.env.example)."""
        return {
            "MERIDIAN_ENV": "production",
            "MERIDIAN_INSTANCE": str(self.run / "instance"),
            "SECRET_KEY": self._secret(),
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "PROXY_COUNT": "1",
            "PUBLIC_SCHEME": "https",
            "PUBLIC_PORT": str(self.https_port),
            "PLATFORM_HOSTS": "localhost",
            "PROXY_CACHE_SECONDS": "1",
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(self.smtp_port),
            "MAIL_DELIVER_INLINE": "0",
            "MEDIA_STORAGE": "s3",
            "S3_BUCKET": S3_BUCKET,
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{self.s3_port}",
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": "meridian-local",
            "S3_SECRET_ACCESS_KEY": "meridian-local-secret",
            "FLASK_DEBUG": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
            **self.extra_env,
        }

    def flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT,
            env={**os.environ, **self.env()},
            check=check,
            capture_output=True,
            text=True,
        )

    def _prepare_database(self) -> list[str]:
        """Create the database if missing, migrate, load the demo clinics; their hosts."""
        import psycopg

        admin = f"host=127.0.0.1 port={self.pg_port} user=postgres dbname=postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (self.database,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{self.database}"')
        self.flask("db", "upgrade")
        bundles = sorted(str(p) for p in (ROOT / "tenants").iterdir() if p.is_dir())
        self.flask("tenants", "load", *bundles)
        target = f"host=127.0.0.1 port={self.pg_port} user=postgres dbname={self.database}"
        with psycopg.connect(target) as conn:
            return [row[0] for row in conn.execute("SELECT hostname FROM domain ORDER BY id")]

    def _certificates(self, hosts: list[str]) -> None:
        import trustme

        tls = self.run / "tls"
        tls.mkdir(parents=True, exist_ok=True)
        ca = trustme.CA(organization_name="Meridian local CA")
        cert = ca.issue_cert("localhost", "127.0.0.1", *hosts)
        ca.cert_pem.write_to_path(str(tls / "ca.pem"))
        cert.private_key_pem.write_to_path(str(tls / "server.key"))
        cert.cert_chain_pems[0].write_to_path(str(tls / "server.pem"))
        for extra in cert.cert_chain_pems[1:]:
            with open(tls / "server.pem", "ab") as out:
                out.write(extra.bytes())

    def _s3(self):
        import boto3

        env = self.env()
        return boto3.client(
            "s3",
            endpoint_url=env["S3_ENDPOINT_URL"],
            region_name=env["S3_REGION"],
            aws_access_key_id=env["S3_ACCESS_KEY_ID"],
            aws_secret_access_key=env["S3_SECRET_ACCESS_KEY"],
        )

    def _create_bucket(self) -> None:
        self._s3().create_bucket(Bucket=S3_BUCKET)

    def s3_keys(self) -> list[str]:
        """Every object in the media bucket."""
        answer = self._s3().list_objects_v2(Bucket=S3_BUCKET)
        return [item["Key"] for item in answer.get("Contents", [])]

    def app_server(self, index: int) -> Proc:
        port = self.app_ports[index]
        args = [a.format(port=port, workers=self.workers) for a in SERVERS[self.server]]
        return Proc(f"app{index + 1}", [sys.executable, *args], self.run, self.env(), port)

    def worker(self) -> Proc:
        args = [sys.executable, "-m", "flask", "--app", "wsgi", "worker"]
        return Proc("worker", args, self.run, self.env())

    # --- the whole -------------------------------------------------------------
    def up(self) -> Stack:
        for sub in ("instance", "log", "pids"):
            (self.run / sub).mkdir(parents=True, exist_ok=True)
        try:
            self.database_url = self._database_url()
            self.redis_url = self._redis_url()
            self.smtp_port = free_port()
            self._service(smtp_sink(self.run, self.smtp_port, self.smtp_delay))
            self.s3_port = free_port()
            self._service(s3_server(self.run, self.s3_port))
            self._create_bucket()
            self.hosts = self._prepare_database()
            self._certificates(self.hosts)
            for index in range(len(self.app_ports)):
                self._service(self.app_server(index))
            self.procs["worker"] = self.worker().start()
            self._service(nginx(self.run, self.http_port, self.https_port, list(self.app_ports)))
        except BaseException:
            self.down()
            raise
        return self

    def down(self) -> None:
        for proc in reversed(list(self.procs.values())):
            proc.stop()
        self.procs.clear()

    def url(self, host: str, path: str = "/") -> str:
        return f"https://{host}:{self.https_port}{path}"

    @property
    def ca(self) -> Path:
        return self.run / "tls" / "ca.pem"

    def __enter__(self) -> Stack:
        return self.up()

    def __exit__(self, *exc: object) -> None:
        self.down()
