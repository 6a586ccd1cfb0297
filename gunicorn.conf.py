"""gunicorn settings Meridian expects: `gunicorn -c gunicorn.conf.py wsgi:app`.

gunicorn reads this file by default from the working directory, so `gunicorn wsgi:app`
at the repository root uses it too. Every value can be set from the environment;
the production stack builds on these (keep them in this one file).

Proxy trust: only peers in FORWARDED_ALLOW_IPS (default: none but this machine) may
set X-Forwarded-Proto (scheme). No peer, trusted or not, may set SCRIPT_NAME or
PATH_INFO through a header (`forwarder_headers` is empty), and headers with
underscores are dropped: Meridian serves every clinic at the root of its domain, and
no request may change the links of a cached page (see platform/meridian/proxy.py).
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

accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
# Paths only: query strings may carry ids, and no URL carries health data, but keep it lean.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(L)ss'
errorlog = "-"
