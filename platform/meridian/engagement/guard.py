"""How anonymous forms on cached pages are protected without a session or a cookie.

The comment, like, subscribe and contact forms sit on public pages that every reader
gets byte for byte from the page cache, so they cannot carry a per-session CSRF token.
Instead, before anything else:

1. **Same site only** (`from_own_site`): a browser says where a POST comes from in
   `Origin` (and `Sec-Fetch-Site`). It must be one of this clinic's own hosts. A
   request with neither header (and no Referer) is not a browser acting for a
   visitor on another site, so it is not a cross-site forgery; the other checks
   still apply to it.
2. **Rate limits** (`within_limits`) per client address (IPv6 by /64) and per post,
   counted in the limiter's storage (Redis in production, shared by every process).
3. **Honeypot**: a field people never see (`hidden`); a bot that fills it is thanked
   and nothing is stored.
4. **Minimum fill time with a signed stamp** (`make_stamp` / `stamp_age`). The page is
   cached, so a time written into it would be the *render* time, shared by everyone,
   and would change the page's ETag at every render. So the cached form carries an
   empty `stamp`; `engage.js` fetches a signed stamp (`/form-stamp`, no cookie, not
   cached) when the reader first touches the form. A POST with a valid stamp at least
   the minimum age old goes through. A POST without one (no JavaScript, or a bot) is
   not refused: the reader gets a "check and send" page with their text kept and a
   fresh stamp rendered into it, and sends again. Humans lose one click; a bot that
   posts blind gets nowhere.
"""

from __future__ import annotations

import ipaddress
import re
import time
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, request
from itsdangerous import BadSignature, TimestampSigner
from limits import parse_many

from ..extensions import csrf, limiter
from ..tenancy import current_tenant, on_clinic_host

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
STAMP_SALT = "meridian-form-stamp"
_LINK = re.compile(r"(?:https?://|www\.)\S", re.IGNORECASE)


def _tenant_hosts() -> set[str]:
    """The clinic's hosts that serve its site (a domain still awaiting its DNS proof does not)."""
    return {d.hostname for d in current_tenant().domains if d.verified_at is not None}


def _host_of(url: str) -> str | None:
    try:
        return (urlsplit(url).hostname or "").rstrip(".") or None
    except ValueError:
        return None


def from_own_site() -> bool:
    """True unless the browser says this POST comes from another site."""
    hosts = _tenant_hosts()
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin != "null" and _host_of(origin) in hosts
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    referer = request.headers.get("Referer")
    if referer:
        return _host_of(referer) in hosts
    return True


def client_key() -> str:
    """The client's address for rate limits; an IPv6 address by its /64 network."""
    raw = request.remote_addr or "unknown"
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def within_limits(*rules: tuple[str, str]) -> bool:
    """Count this request against each (config key, scope) rule; False if any is over.

    e.g. `within_limits(("COMMENT_RATE_LIMIT", f"ip:{client_key()}"))`. Every rule is
    counted, even after one refuses, so a flood cannot probe them one at a time.
    """
    if not current_app.config["RATE_LIMITS_ENABLED"]:
        return True
    strategy = limiter.limiter
    tenant_id = current_tenant().id
    allowed = True
    for config_key, scope in rules:
        for item in parse_many(current_app.config[config_key]):
            try:
                hit = strategy.hit(item, "engagement", config_key, str(tenant_id), scope)
            except Exception as exc:  # noqa: BLE001  (storage gone: as the limiter does)
                # Like the rest of the app (RATELIMIT_SWALLOW_ERRORS): a reader is not
                # refused because Redis went away; the honeypot, stamp, same-site check
                # and moderation still stand.
                current_app.logger.warning("rate limit storage failed: %s", type(exc).__name__)
                continue
            if not hit:
                allowed = False
    return allowed


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.secret_key, salt=STAMP_SALT)


def make_stamp(form: str) -> str:
    """A signed 'this clinic's form was opened now' value."""
    return _signer().sign(f"{current_tenant().id}.{form}").decode()


def stamp_age(value: str | None, form: str) -> float | None:
    """Seconds since the stamp was made, or None if missing, forged, another clinic's or
    another form's, or older than FORM_STAMP_MAX_AGE."""
    if not value or len(value) > 200:
        return None
    try:
        payload, issued = _signer().unsign(
            value, max_age=current_app.config["FORM_STAMP_MAX_AGE"], return_timestamp=True
        )
    except (BadSignature, ValueError):
        return None
    if payload.decode() != f"{current_tenant().id}.{form}":
        return None
    return max(0.0, time.time() - issued.timestamp())


def stamp_ok(value: str | None, form: str) -> bool:
    age = stamp_age(value, form)
    return age is not None and age >= current_app.config["FORM_MIN_SECONDS"]


def has_control_characters(text: str) -> bool:
    """NUL and other control characters (line breaks and tabs are checked separately)."""
    return bool(_CONTROL.search(text))


def strip_control_characters(text: str) -> str:
    return _CONTROL.sub("", text)


def count_links(text: str) -> int:
    return len(_LINK.findall(text))


def reader_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint for reader forms: on clinic hosts only, exempt from the session CSRF
    check (the checks above stand in for it), and never cached (every answer carries a
    reader's input, a per-browser answer or a one-time token)."""
    bp = Blueprint(name, import_name)
    csrf.exempt(bp)

    @bp.before_request
    def require_tenant_host() -> None:
        if not on_clinic_host():
            abort(404)

    @bp.after_request
    def never_cached(response: Response) -> Response:
        response.headers["Cache-Control"] = "private, no-store"
        return response

    return bp
