"""Public reading pages: rendered once per content version, revalidated by ETag.

A cache key holds the tenant id and its `content_version`, so one clinic's cache can
never answer for another, and any edit (which bumps the version in the database) is
visible on the next request in every process. Views wrapped here must read only the
query parameters they declare, and must not touch the session: readers get no cookie.

A page that shows something time-dependent ("open now", today's hours) says until when
it is true with `valid_until(moment)`: its cache entry then expires at that moment, so
it is re-rendered with the new answer instead of serving a stale one.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from flask import current_app, g, make_response, request

from .extensions import cache
from .models import utcnow
from .tenancy import current_tenant


def valid_until(moment: datetime) -> None:
    """The page being rendered is true until `moment` (UTC) at the latest."""
    earlier = g.get("page_valid_until")
    g.page_valid_until = moment if earlier is None else min(earlier, moment)


def _seconds_left(until: datetime | None, default: int) -> int:
    if until is None:
        return default
    return max(1, min(default, math.ceil((until - utcnow()).total_seconds())))


def page_cache_key(tenant_id: int, version: int, path: str, args: str) -> str:
    return f"page:{tenant_id}:{version}:{path}?{args}"


def public_page(*params: str) -> Callable:
    """Decorate a GET view of a tenant's public page. `params`: the query args it reads."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            tenant = current_tenant()
            query = "&".join(f"{name}={request.args.get(name, '')}" for name in params)
            key = page_cache_key(tenant.id, tenant.content_version, request.path, query)
            entry = cache.get(key)
            if entry is not None and (len(entry) != 4 or (entry[3] and entry[3] <= utcnow())):
                entry = None  # written by an older release, or its moment has passed
            if entry is None:
                response = make_response(view(*args, **kwargs))
                if response.status_code != 200 or response.direct_passthrough:
                    return response
                body = response.get_data()
                entry = (
                    body,
                    response.content_type,
                    hashlib.blake2b(body, digest_size=12).hexdigest(),
                    g.get("page_valid_until"),
                )
                timeout = _seconds_left(entry[3], current_app.config["PAGE_CACHE_SECONDS"])
                cache.set(key, entry, timeout=timeout)
                state = "miss"
            else:
                response = current_app.response_class(entry[0], content_type=entry[1])
                state = "hit"
            response.set_etag(entry[2])
            response.cache_control.public = True
            max_age = current_app.config["PUBLIC_MAX_AGE"]
            response.cache_control.max_age = _seconds_left(entry[3], max_age) if max_age else 0
            response.headers["X-Page-Cache"] = state
            response = response.make_conditional(request)
            # make_conditional adds a Date header; the WSGI server adds its own.
            del response.headers["Date"]
            return response

        wrapper.public_page = True  # type: ignore[attr-defined]
        return wrapper

    return decorator
