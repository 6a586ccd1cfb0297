"""gunicorn settings Meridian expects: `gunicorn -c gunicorn.conf.py wsgi:app`.

gunicorn reads this file by default from the working directory, so `gunicorn wsgi:app`
at the repository root uses it too. Every value can be set from the environment;
the production stack builds on these (keep them in this one file).

Proxy trust: only peers in FORWARDED_ALLOW_IPS (default: none but this machine) may
set X-Forwarded-Proto (scheme). No peer, trusted or not, may set SCRIPT_NAME or
PATH_INFO through a header (`forwarder_headers` is empty), and headers with
underscores are dropped: Meridian serves every clinic at the root of its domain, and
no request may change the links of a cached page (see platform/meridian/proxy.py).

Refusals, each in one line before any worker starts (`on_starting`): no strong
SECRET_KEY; or more than one worker with rate limits kept in process memory (no
REDIS_URL), where each worker would count on its own and a 10-per-minute limit would
let 10 per minute *per worker* through.
"""

import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# The proxy in front (nginx, a load balancer): comma-separated addresses or networks.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
# Never from a header, whoever sends it: the script root is configuration.
forwarder_headers = ""
header_map = "drop"

# Bounded requests: a long line or many headers is refused by gunicorn itself.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# Access logs: off unless asked for (the proxy in front logs requests; `-` is stdout).
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
# Paths only: query strings may carry ids, and no URL carries health data, but keep it lean.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(L)ss'
errorlog = "-"


def on_starting(server):
    """Refuse to start a deployment that cannot keep its promises; say why in one line."""
    from meridian.config import Config, refuse_weak_secret

    settings = vars(Config())
    refuse_weak_secret(settings)
    limits_on = settings["RATE_LIMITS_ENABLED"]
    if limits_on and server.cfg.workers > 1 and settings["RATELIMIT_STORAGE_URI"] == "memory://":
        raise SystemExit(
            f"Meridian refuses to start: {server.cfg.workers} workers would each keep their own "
            "rate-limit counts in memory. Set REDIS_URL (shared counts), or run one worker, "
            "or RATE_LIMITS_ENABLED=0 if something in front limits the booking POSTs."
        )
