"""Configuration read from the environment.

`Config` is what `wsgi.py` uses; tests pass a mapping of overrides to
`create_app(config)`. Nothing here touches the network or the database.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root: holds tenants/, templates/ and instance/.
ROOT = Path(__file__).resolve().parents[2]


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _csv(name: str, default: str) -> list[str]:
    return [
        part.strip().lower() for part in os.environ.get(name, default).split(",") if part.strip()
    ]


def _database_url(instance: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{instance / 'meridian.sqlite3'}"
    return normalise_database_url(url)


def normalise_database_url(url: str) -> str:
    """`postgres://` and `postgresql://` URLs mean psycopg 3 here."""
    # Heroku-style URLs name the driver-less scheme; we use psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def secret_key_problem(key: str) -> str | None:
    """Why `key` cannot sign sessions and booking links, or None if it can."""
    if not key:
        return "SECRET_KEY is not set"
    if len(key) < 32 or len(set(key)) < 8:
        return "SECRET_KEY is too weak (use at least 32 random characters)"
    return None


def refuse_weak_secret(config: dict) -> None:
    """Outside the tests, refuse to start without a strong SECRET_KEY, in one line.

    `make run` writes a random key to instance/secret_key; production sets its own.
    """
    if config.get("TESTING"):
        return
    problem = secret_key_problem(str(config.get("SECRET_KEY") or ""))
    if problem:
        raise SystemExit(
            f"Meridian refuses to start: {problem}. Generate one with: "
            "python3 -c 'import secrets; print(secrets.token_hex(32))'"
        )


class Config:
    """Production-safe defaults; development overrides come from the environment."""

    def __init__(self) -> None:
        instance = Path(os.environ.get("MERIDIAN_INSTANCE", ROOT / "instance"))
        self.INSTANCE_PATH = str(instance)
        self.SECRET_KEY = os.environ.get("SECRET_KEY", "")
        self.SQLALCHEMY_DATABASE_URI = _database_url(instance)
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        # Hosts that serve the platform itself (clinic directory, later the admin).
        self.PLATFORM_HOSTS = _csv("PLATFORM_HOSTS", "localhost,127.0.0.1")
        # A clinic onboarded from the admin console serves at once on
        # <slug>.<CLINIC_HOST_SUFFIX> (a name the platform controls, so verified on
        # arrival); its own domains wait for their DNS record (meridian.domains).
        self.CLINIC_HOST_SUFFIX = os.environ.get("CLINIC_HOST_SUFFIX", "localhost")
        # Absolute links (canonical, feeds, sitemaps, e-mails) use the tenant's primary
        # domain with this scheme and, in development only, this port.
        self.PUBLIC_SCHEME = os.environ.get("PUBLIC_SCHEME", "https")
        self.PUBLIC_PORT = os.environ.get("PUBLIC_PORT", "")
        # Blog import (meridian.importer.fetch): addresses on these networks may be
        # fetched although not public (tests: "127.0.0.0/8 ::1/128"); never in production.
        self.IMPORT_ALLOWED_NETWORKS = os.environ.get("IMPORT_ALLOWED_NETWORKS", "")
        self.IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(20 * 1_000_000)))
        self.IMPORT_TIMEOUT_SECONDS = float(os.environ.get("IMPORT_TIMEOUT_SECONDS", "20"))
        self.IMPORT_MAX_REDIRECTS = int(os.environ.get("IMPORT_MAX_REDIRECTS", "5"))
        # One run imports at most this many new posts within this time; the next run
        # continues (a request stays short; re-running never duplicates).
        self.IMPORT_POSTS_PER_RUN = int(os.environ.get("IMPORT_POSTS_PER_RUN", "40"))
        self.IMPORT_RUN_SECONDS = float(os.environ.get("IMPORT_RUN_SECONDS", "25"))
        # The 404 watch keeps at most this many distinct missing paths per clinic.
        self.MISSING_PATHS_KEPT = int(os.environ.get("MISSING_PATHS_KEPT", "500"))
        self.TENANTS_DIR = os.environ.get("TENANTS_DIR", str(ROOT / "tenants"))
        # `flask backup` writes here (default <instance>/backups).
        self.BACKUP_DIR = os.environ.get("BACKUP_DIR", "")
        # Rendered public pages are cached under the tenant's content version.
        self.REDIS_URL = os.environ.get("REDIS_URL", "")
        self.PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))
        # Rendered pages kept in each process too (0: off); keyed by content version.
        self.PAGE_CACHE_LOCAL_ENTRIES = int(os.environ.get("PAGE_CACHE_LOCAL_ENTRIES", "1024"))
        # Host -> tenant (id, status, content version) remembered per process for at
        # most this long: an edit shows in other processes within it (0: off).
        self.TENANT_CACHE_SECONDS = float(os.environ.get("TENANT_CACHE_SECONDS", "1"))
        # Behind nginx's proxy cache: public pages may be kept there this long (whole
        # seconds, ending at a second boundary, via X-Accel-Expires); 0 = not at all.
        self.PROXY_CACHE_SECONDS = int(os.environ.get("PROXY_CACHE_SECONDS", "0"))
        # Browsers and proxies revalidate with the ETag; a 304 costs one SQL query.
        self.PUBLIC_MAX_AGE = int(os.environ.get("PUBLIC_MAX_AGE", "0"))
        self.HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "0"))
        # Number of proxies in front of the app whose X-Forwarded-For/-Proto we trust.
        # X-Forwarded-Host is never trusted: the Host header alone picks the tenant.
        # Unset is 0 in development and a refusal in production (safety.py).
        proxies = os.environ.get("PROXY_COUNT")
        self.PROXY_COUNT = int(proxies) if proxies not in (None, "") else None
        # "production" turns on the refusals of safety.py; anything else is development.
        self.MERIDIAN_ENV = os.environ.get("MERIDIAN_ENV", "development")
        self.POSTS_PER_PAGE = int(os.environ.get("POSTS_PER_PAGE", "10"))
        # Shareable preview links of unpublished posts work this many days.
        self.PREVIEW_LINK_DAYS = int(os.environ.get("PREVIEW_LINK_DAYS", "7"))
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = self.PUBLIC_SCHEME == "https"
        self.DEBUG = _bool("FLASK_DEBUG")
        # Outgoing mail: "smtp" (production) or "file" (.eml files in instance/mail/).
        self.MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
        self.MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS")
        self.MAIL_FROM = os.environ.get("MAIL_FROM", "bookings@meridian.invalid")
        self.MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "6"))
        self.MAIL_RETRY_SECONDS = int(os.environ.get("MAIL_RETRY_SECONDS", "60"))
        # A worker that dies mid-send holds its claimed rows this long; then another
        # worker sends them again (same Message-ID, so a receiver can drop a duplicate).
        self.MAIL_LEASE_SECONDS = int(os.environ.get("MAIL_LEASE_SECONDS", "300"))
        # Development: send queued mail right after the booking commits.
        self.MAIL_DELIVER_INLINE = _bool("MAIL_DELIVER_INLINE")
        self.REMINDER_HOURS = int(os.environ.get("REMINDER_HOURS", "24"))
        self.BOOKING_LINK_MAX_AGE = int(os.environ.get("BOOKING_LINK_MAX_AGE", str(90 * 86_400)))
        # Flask-Limiter: Redis when REDIS_URL is set (shared by every process).
        # Our switch (Flask-Limiter's own RATELIMIT_ENABLED is per extension instance,
        # which several apps in one process, e.g. the tests, would share).
        self.RATE_LIMITS_ENABLED = _bool("RATE_LIMITS_ENABLED", True)
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        # Redis down: limits fall back to each process's memory (looser by the number
        # of processes, never refusing every booking); they return when Redis does.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        # ...and a request caught by Redis going away mid-check (another thread already
        # switched to the fallback) goes through rather than answer 500 (the stop-Redis
        # drill saw one such booking).
        self.RATELIMIT_SWALLOW_ERRORS = True
        self.RATELIMIT_STORAGE_OPTIONS = {"socket_timeout": 0.25, "socket_connect_timeout": 0.25}
        # Accounts (meridian.auth): a signed-in session ends after this long without a
        # request, and in any case this long after signing in.
        self.AUTH_IDLE_MINUTES = int(os.environ.get("AUTH_IDLE_MINUTES", "30"))
        self.AUTH_ABSOLUTE_HOURS = int(os.environ.get("AUTH_ABSOLUTE_HOURS", "12"))
        # A password-ok sign-in waits this long at most for its second factor.
        self.AUTH_PENDING_MINUTES = int(os.environ.get("AUTH_PENDING_MINUTES", "10"))
        # Domain verification (DNS TXT): the system's resolver unless DNS_RESOLVER names
        # one as host:port (the tests run their own on loopback).
        self.DNS_RESOLVER = os.environ.get("DNS_RESOLVER", "")
        self.DNS_TIMEOUT_SECONDS = float(os.environ.get("DNS_TIMEOUT_SECONDS", "5"))
        # Second-factor attempts, per account and per client address (POSTs only).
        self.AUTH_SECOND_FACTOR_RATE_LIMIT = os.environ.get(
            "AUTH_SECOND_FACTOR_RATE_LIMIT", "5 per minute; 30 per hour"
        )
        # argon2id cost (OWASP: m=19 MiB, t=2, p=1 at least). A change rehashes each
        # password at its owner's next sign-in.
        self.ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", "3"))
        self.ARGON2_MEMORY_KIB = int(os.environ.get("ARGON2_MEMORY_KIB", "65536"))
        self.ARGON2_PARALLELISM = int(os.environ.get("ARGON2_PARALLELISM", "1"))
        # Failed attempts allowed per account and per client address (meridian.auth.ratelimit).
        for kind, account, address in (
            ("SIGN_IN", "10 per 15 minutes", "50 per 15 minutes"),
            ("RESET", "5 per hour", "20 per hour"),
            ("SECOND_FACTOR", "10 per 15 minutes", "50 per 15 minutes"),
        ):
            for scope, default in (("ACCOUNT", account), ("ADDRESS", address)):
                name = f"{kind}_RATE_LIMIT_{scope}"
                setattr(self, name, os.environ.get(name, default))
        # Password-reset and invitation links work this long (seconds), once.
        self.PASSWORD_RESET_MAX_AGE = int(os.environ.get("PASSWORD_RESET_MAX_AGE", "3600"))
        self.INVITATION_MAX_AGE = int(os.environ.get("INVITATION_MAX_AGE", str(7 * 86_400)))
        # Media library: a folder under instance/ (default) or an S3-compatible bucket.
        self.MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "folder")
        self.MEDIA_ROOT = os.environ.get("MEDIA_ROOT", "")  # default: <instance>/media
        self.S3_BUCKET = os.environ.get("S3_BUCKET", "")
        self.S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")
        self.S3_REGION = os.environ.get("S3_REGION", "")
        self.S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID", "")
        self.S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY", "")
        self.S3_PREFIX = os.environ.get("S3_PREFIX", "")
        self.MEDIA_MAX_BYTES = int(os.environ.get("MEDIA_MAX_BYTES", str(20 * 1_000_000)))
        self.MEDIA_MAX_PIXELS = int(os.environ.get("MEDIA_MAX_PIXELS", str(50_000_000)))
        self.MEDIA_WIDTHS = [
            int(w) for w in os.environ.get("MEDIA_WIDTHS", "400,800,1200,1600,2400").split(",")
        ]
        self.MEDIA_QUALITY = int(os.environ.get("MEDIA_QUALITY", "80"))
        # Any request body above this is refused before it is read (a branded 413);
        # uploads between MEDIA_MAX_BYTES and this get a message next to the field.
        self.MAX_CONTENT_LENGTH = int(os.environ.get("MAX_REQUEST_BYTES", str(64 * 1_000_000)))
        self.BOOKING_RATE_LIMIT = os.environ.get("BOOKING_RATE_LIMIT", "10 per minute; 60 per hour")
        # Readers' forms (meridian.engagement): limits per client address (IPv6 by /64)
        # and per post, the fastest a person fills a form, how old its stamp may be.
        env = os.environ.get
        self.COMMENT_RATE_LIMIT = env("COMMENT_RATE_LIMIT", "5 per minute; 20 per hour")
        self.COMMENT_POST_RATE_LIMIT = env("COMMENT_POST_RATE_LIMIT", "30 per hour")
        self.LIKE_RATE_LIMIT = env("LIKE_RATE_LIMIT", "30 per minute; 200 per hour")
        self.SUBSCRIBE_RATE_LIMIT = env("SUBSCRIBE_RATE_LIMIT", "5 per minute; 20 per hour")
        self.CONTACT_RATE_LIMIT = env("CONTACT_RATE_LIMIT", "3 per minute; 10 per hour")
        self.FORM_MIN_SECONDS = float(env("FORM_MIN_SECONDS", "3"))
        self.FORM_STAMP_MAX_AGE = int(env("FORM_STAMP_MAX_AGE", str(86_400)))
        self.COMMENT_MAX_LINKS = int(env("COMMENT_MAX_LINKS", "2"))
        # Subscriptions: how long a confirmation link works; how often one address may
        # be sent a confirmation; new-post e-mails queued per transaction.
        self.SUBSCRIBE_LINK_MAX_AGE = int(env("SUBSCRIBE_LINK_MAX_AGE", str(7 * 86_400)))
        self.SUBSCRIBE_RESEND_MINUTES = int(env("SUBSCRIBE_RESEND_MINUTES", "10"))
        self.NEW_POST_BATCH = int(env("NEW_POST_BATCH", "200"))
        # At most one "comments waiting" e-mail per clinic in this many minutes.
        self.COMMENT_DIGEST_MINUTES = int(env("COMMENT_DIGEST_MINUTES", "15"))
        # The privacy notice (meridian.privacy) names who processes data for the clinic
        # and where it is stored: the operator sets these to the truth of the deployment.
        self.PRIVACY_PLATFORM = env(
            "PRIVACY_PLATFORM", "Meridian, the platform that runs this site"
        )
        self.PRIVACY_MAIL_SERVICE = env(
            "PRIVACY_MAIL_SERVICE", "the platform’s e-mail delivery service"
        )
        self.PRIVACY_DATA_LOCATION = env("PRIVACY_DATA_LOCATION", "in the United Kingdom")
        # Data requests (/privacy/request): how long the confirmation link works; how
        # many requests one client address may send.
        self.PRIVACY_REQUEST_LINK_MAX_AGE = int(
            env("PRIVACY_REQUEST_LINK_MAX_AGE", str(2 * 86_400))
        )
        self.PRIVACY_REQUEST_RATE_LIMIT = env(
            "PRIVACY_REQUEST_RATE_LIMIT", "3 per minute; 10 per hour"
        )
        # ISO country of the servers: a clinic in another country says its data goes abroad.
        self.PRIVACY_DATA_COUNTRY = env("PRIVACY_DATA_COUNTRY", "GB")
