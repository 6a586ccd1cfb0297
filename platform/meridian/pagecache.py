"""Public reading pages: rendered once per content version, revalidated by ETag.

A cache key holds the tenant id and its `content_version`, so one clinic's cache can
never answer for another, and any edit (which bumps the version in the database) is
visible on the next request in every process. Views wrapped here must read only the
query parameters they declare, and must not touch the session: readers get no cookie.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, make_response, request

from .extensions import cache
from .tenancy import current_tenant


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
            if entry is None:
                response = make_response(view(*args, **kwargs))
                if response.status_code != 200 or response.direct_passthrough:
                    return response
                body = response.get_data()
                entry = (
                    body,
                    response.content_type,
                    hashlib.blake2b(body, digest_size=12).hexdigest(),
                )
                cache.set(key, entry, timeout=current_app.config["PAGE_CACHE_SECONDS"])
                state = "miss"
            else:
                response = current_app.response_class(entry[0], content_type=entry[1])
                state = "hit"
            response.set_etag(entry[2])
            response.cache_control.public = True
            response.cache_control.max_age = current_app.config["PUBLIC_MAX_AGE"]
            response.headers["X-Page-Cache"] = state
            response = response.make_conditional(request)
            # make_conditional adds a Date header; the WSGI server adds its own.
            del response.headers["Date"]
            return response

        wrapper.public_page = True  # type: ignore[attr-defined]
        return wrapper

    return decorator
