"""`/healthz` and `/readyz`, on any Host (the proxy and the monitor don't send a clinic's).

* `/healthz`: the process answers (no database, no Redis): what nginx and systemd's
  watchdog need to decide whether to send traffic to this app server at all.
* `/readyz`: the database answers `SELECT 1` and Redis (when configured) answers PING;
  503 with the failing part named otherwise. For monitoring and deploy checks.

Neither is ever cached, rate limited or tenant-resolved.
"""

from __future__ import annotations

from flask import Blueprint, current_app
from sqlalchemy import text

from .extensions import db

bp = Blueprint("health", __name__)

NO_STORE = {"Cache-Control": "no-store", "Content-Type": "text/plain; charset=utf-8"}


@bp.get("/healthz")
def healthz():
    return "ok\n", 200, NO_STORE


def _redis_ok(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@bp.get("/readyz")
def readyz():
    checks: dict[str, bool] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = True
    except Exception:  # noqa: BLE001  (any failure means not ready)
        db.session.rollback()
        checks["database"] = False
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _redis_ok(current_app.config["REDIS_URL"])
    ready = all(checks.values())
    body = "".join(f"{name}: {'ok' if ok else 'FAILING'}\n" for name, ok in checks.items())
    return body, 200 if ready else 503, NO_STORE
