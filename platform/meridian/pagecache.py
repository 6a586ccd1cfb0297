"""Public reading pages: rendered once per content version, revalidated by ETag.

A cache key holds the tenant id and its `content_version`, so one clinic's cache can
never answer for another, and any edit (which bumps the version in the database) is
visible on the next request in every process. Views wrapped here must read only the
query parameters they declare, and must not touch the session: readers get no cookie.

Invalidation lives here too: any change to public content (a flush, or a bulk ORM
UPDATE/DELETE of a model with `affects_public_pages`) bumps its tenant's
`content_version` in the same transaction, and the first request after a scheduled
post's time bumps it once, across processes, so the post appears on time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from flask import Flask, current_app, g, make_response, request
from flask_sqlalchemy.session import Session as FlaskSQLASession
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from .extensions import cache, db
from .models import Post, Tenant, TenantOwned, utcnow
from .tenancy import active_tenant_id, current_tenant


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


def publish_due_posts(tenant: Tenant, now: datetime) -> None:
    """Scheduled posts whose time has come: bump the version once, across processes.

    The UPDATE's WHERE clause makes exactly one concurrent request do the work.
    """
    db.session.execute(
        update(Tenant)
        .where(Tenant.id == tenant.id, Tenant.next_publish_at <= now)
        .values(
            content_version=Tenant.content_version + 1,
            next_publish_at=_next_publish_subquery(now),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(tenant)


def _publish_due_for_request() -> None:
    """before_request, after the tenant is resolved."""
    tenant = g.get("tenant")
    if tenant is None or tenant.next_publish_at is None:
        return
    now = utcnow()
    if tenant.next_publish_at <= now:
        publish_due_posts(tenant, now)


def _next_publish_subquery(now: datetime):
    """The tenant's next scheduled post time, correlated to the tenant row being updated."""
    tenants = Tenant.__table__
    return (
        select(func.min(Post.published_at))
        .where(Post.tenant_id == tenants.c.id, Post.published_at > now)
        .correlate(tenants)
        .scalar_subquery()
    )


def bump_content_versions(connection: Any, tenant_ids: set[int] | None) -> None:
    """Invalidate the cached public pages of these tenants (None: of every tenant)."""
    tenants = Tenant.__table__
    stmt = update(tenants).values(
        content_version=tenants.c.content_version + 1,
        next_publish_at=_next_publish_subquery(utcnow()),
    )
    if tenant_ids is not None:
        if not tenant_ids:
            return
        stmt = stmt.where(tenants.c.id.in_(sorted(tenant_ids)))
    connection.execute(stmt)


def _bump_after_bulk(state: ORMExecuteState):
    """A bulk ORM UPDATE/DELETE of public content bumps the version (the after_flush hook
    only sees unit-of-work changes); without an active tenant, every tenant's."""
    if not (state.is_update or state.is_delete):
        return None
    mapper = state.bind_mapper
    entity = mapper.class_ if mapper is not None else None
    if not (entity and issubclass(entity, TenantOwned) and entity.affects_public_pages):
        return None
    result = state.invoke_statement()
    tenant_id = None if state.execution_options.get("all_tenants") else active_tenant_id()
    bump_content_versions(state.session.connection(), {tenant_id} if tenant_id else None)
    return result


def _bump_after_flush(session: Session, flush_context: Any) -> None:
    """after_flush: a change to public content bumps its tenant's content_version."""
    tenant_ids: set[int] = set()
    # after_flush still sees the pre-flush new/dirty/deleted sets and histories.
    for obj in (*session.new, *session.dirty, *session.deleted):
        if obj in session.dirty and not session.is_modified(obj):
            continue
        if isinstance(obj, TenantOwned) and obj.affects_public_pages and obj.tenant_id:
            tenant_ids.add(obj.tenant_id)
        elif isinstance(obj, Tenant) and obj not in session.new:
            tenant_ids.add(obj.id)
    bump_content_versions(session.connection(), tenant_ids)


def init_app(app: Flask) -> None:
    """Call after `tenancy.init_app`: its resolver and guard must run first."""
    app.before_request(_publish_due_for_request)
    for name, listener in (
        ("do_orm_execute", _bump_after_bulk),
        ("after_flush", _bump_after_flush),
    ):
        if not event.contains(FlaskSQLASession, name, listener):
            event.listen(FlaskSQLASession, name, listener)
