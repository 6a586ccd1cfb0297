"""Public reading pages: rendered once per content version, revalidated by ETag.

A cache key holds the tenant id and its `content_version`, so one clinic's cache can
never answer for another, and any edit (which bumps the version in the database) is
visible on the next request in every process (within `TENANT_CACHE_SECONDS` when the
host → tenant table of `hosts` is on). Views wrapped here must read only the query
parameters they declare, and must not touch the session: readers get no cookie.

Two layers: a small table in this process (`PAGE_CACHE_LOCAL_ENTRIES`; correct without
any invalidation, since the version is in the key) in front of the shared cache
(Redis in production). If Redis is down a page is rendered, not refused.

A page that shows something time-dependent ("open now", today's hours) says until when
it is true with `valid_until(moment)`: its entries then expire at that moment in both
layers (and in the proxy), so it is rendered again with the new answer, never stale.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from flask import current_app, g, make_response, request

from .extensions import cache
from .models import utcnow
from .security import EXTENSION as SECURITY
from .tenancy import current_tenant

#: key -> (body, content type, etag, valid until or None); cleared whole when full.
_local: dict[str, tuple] = {}


def valid_until(moment: datetime) -> None:
    """The page being rendered is true until `moment` (UTC) at the latest."""
    earlier = g.get("page_valid_until")
    g.page_valid_until = moment if earlier is None else min(earlier, moment)


def _seconds_left(until: datetime | None, default: int) -> int:
    if until is None:
        return default
    return max(1, min(default, math.ceil((until - utcnow()).total_seconds())))


def _fresh(entry) -> bool:
    """False for an entry whose moment has passed (or one from an older release)."""
    return entry is not None and len(entry) == 4 and (entry[3] is None or entry[3] > utcnow())


def page_cache_key(tenant_id: int, version: int, path: str, args: str) -> str:
    return f"page:{tenant_id}:{version}:{path}?{args}"


def forget_local() -> None:
    """Empty this process's table (tests; nothing else needs to)."""
    _local.clear()


def _shared_get(key: str):
    try:
        return cache.get(key)
    except Exception as exc:  # noqa: BLE001  (any backend failure is a miss)
        current_app.logger.warning("page cache unavailable (read): %s", type(exc).__name__)
        return None


def _shared_set(key: str, entry: tuple) -> None:
    try:
        timeout = _seconds_left(entry[3], current_app.config["PAGE_CACHE_SECONDS"])
        cache.set(key, entry, timeout=timeout)
    except Exception as exc:  # noqa: BLE001
        current_app.logger.warning("page cache unavailable (write): %s", type(exc).__name__)


def _remember(key: str, entry: tuple) -> None:
    limit = current_app.config["PAGE_CACHE_LOCAL_ENTRIES"]
    if limit <= 0:
        return
    if len(_local) >= limit:
        _local.clear()
    _local[key] = entry


def _render(view: Callable, args: Any, kwargs: Any, key: str):
    response = make_response(view(*args, **kwargs))
    if response.status_code != 200 or response.direct_passthrough:
        return response, None
    body = response.get_data()
    etag = hashlib.blake2b(body, digest_size=12).hexdigest()
    entry = (body, response.content_type, etag, g.get("page_valid_until"))
    _shared_set(key, entry)
    _remember(key, entry)
    return response, entry


def _append_trusted(response, headers: list, security: tuple) -> None:
    """Add our own constant headers without re-validating each one (a cached page's
    largest remaining cost was Werkzeug checking these strings for line breaks)."""
    rows = getattr(response.headers, "_list", None)
    if rows is None:  # not the Werkzeug we know: the validated way
        response.headers.extend(headers)
        response.headers.extend((name, value) for name, _, value in security)
    else:
        rows.extend(headers)
        rows.extend((name, value) for name, _, value in security)
    response.has_security_headers = True


def _max_age(entry: tuple, configured: int) -> int:
    return _seconds_left(entry[3], configured) if configured else 0


def public_page(*params: str) -> Callable:
    """Decorate a GET view of a tenant's public page. `params`: the query args it reads."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            ref = g.get("tenant_ref") or current_tenant()
            query = "&".join(f"{name}={request.args.get(name, '')}" for name in params)
            key = page_cache_key(ref.id, ref.content_version, request.path, query)
            entry = _local.get(key)
            state = "hit"
            if not _fresh(entry):
                entry = _shared_get(key)
                if _fresh(entry):
                    _remember(key, entry)
                else:
                    entry = None
            if entry is None:
                response, entry = _render(view, args, kwargs, key)
                if entry is None:
                    return response
                state = "miss"
            config = current_app.config
            headers: list[tuple[str, str]] = []
            if config["PROXY_CACHE_SECONDS"]:
                # nginx keeps the page until the end of this second (absolute, so an
                # edit shows through the proxy within 1 s) and strips the header. It
                # comes before Cache-Control: nginx 1.22 obeys whichever it reads first.
                expires = int(time.time()) + config["PROXY_CACHE_SECONDS"] - 1
                if entry[3] is not None:
                    expires = min(expires, int(entry[3].timestamp()))
                headers.append(("X-Accel-Expires", f"@{expires}"))
            headers += [
                ("ETag", f'"{entry[2]}"'),
                ("Cache-Control", f"public, max-age={_max_age(entry, config['PUBLIC_MAX_AGE'])}"),
                ("X-Page-Cache", state),
            ]
            if state == "hit":
                response = current_app.response_class(entry[0], content_type=entry[1])
                _append_trusted(response, headers, current_app.extensions[SECURITY])
            else:
                response.headers.extend(headers)
            if "HTTP_IF_NONE_MATCH" in request.environ or "HTTP_IF_MODIFIED_SINCE" in (
                request.environ
            ):
                response = response.make_conditional(request)
                # make_conditional adds a Date header; the WSGI server adds its own.
                del response.headers["Date"]
            return response

        wrapper.public_page = True  # type: ignore[attr-defined]
        return wrapper

    return decorator
