"""The tenant boundary.

* The tenant is resolved once per request from the Host header alone (never from
  X-Forwarded-Host, a query parameter or a cookie) into `g.tenant`.
* Unknown host: 404. Suspended tenant: 503. Platform hosts: `g.tenant is None`.
* Tenant-owned rows are read through `tenant_select` / `get_for_tenant_or_404`.
  While a tenant is active, a session-wide guard also adds `tenant_id = :tenant`
  to every ORM SELECT, UPDATE and DELETE of a `TenantOwned` model, so a forgotten
  filter fails closed. It cannot see Core statements on `Model.__table__` or `text()`:
  don't use those for tenant rows. A cross-tenant read that is meant (e.g. "is this
  hostname taken by any clinic?") says so with `.execution_options(all_tenants=True)`.
* Any change to content shown on public pages (a flush, or a bulk ORM UPDATE/DELETE)
  bumps the tenant's `content_version`, which every page-cache key and ETag includes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from flask import Flask, abort, current_app, g, has_app_context, request
from flask_sqlalchemy.session import Session as FlaskSQLASession
from sqlalchemy import bindparam, event, func, select, update
from sqlalchemy.orm import ORMExecuteState, Session, joinedload, with_loader_criteria

from . import hosts
from .extensions import db
from .hosts import on_clinic_host  # noqa: F401  (re-exported: blueprints use it)
from .models import Domain, Post, Tenant, TenantOwned, utcnow

M = TypeVar("M", bound=TenantOwned)


def normalise_host(raw: str) -> str:
    """`Acute-Acupuncture.localhost:5000.` -> `acute-acupuncture.localhost`."""
    host = raw.strip().lower()
    if host.startswith("["):  # IPv6 literal: keep the brackets' content
        return host[1 : host.find("]")] if "]" in host else host
    host = host.rsplit(":", 1)[0] if ":" in host else host
    return host.rstrip(".")


def current_tenant() -> Tenant:
    """The request's tenant; aborts with 404 on a host that serves no tenant."""
    tenant = g.get("tenant")
    if tenant is None:
        abort(404)
    return tenant


def tenant_select(model: type[M], *criteria: Any):
    """`select(model)` limited to the current tenant: the one door for tenant rows."""
    return select(model).where(model.tenant_id == current_tenant().id, *criteria)


def get_for_tenant_or_404(model: type[M], **by: Any) -> M:
    """One row of the current tenant matching `by`, or 404 (never another tenant's)."""
    row = db.session.scalars(tenant_select(model).filter_by(**by).limit(1)).first()
    if row is None:
        abort(404)
    return row


# Built once: every request runs it, and a bound parameter (rather than a literal host
# per request) lets SQLAlchemy reuse its compiled form cheaply (~40% of this lookup).
_TENANT_BY_HOST = (
    select(Tenant)
    .join(Domain, Domain.tenant_id == Tenant.id)
    .where(Domain.hostname == bindparam("host"), Domain.verified_at.is_not(None))
    .options(joinedload(Tenant.domains), joinedload(Tenant.locations), joinedload(Tenant.hero))
)


def load_tenant_for_host(host: str) -> Tenant | None:
    """One query: the tenant for a host with its domains, locations and hero photo."""
    return db.session.scalars(_TENANT_BY_HOST, {"host": host}).unique().first()


def publish_due_posts(now: datetime, tenant_id: int | None = None) -> int:
    """Scheduled posts whose time has come: bump the version once, across processes.

    For one clinic (a request on its host) or every clinic (the worker). The UPDATE's
    WHERE clause makes exactly one concurrent request or worker do the work; returns
    how many clinics this call moved on.
    """
    stmt = update(Tenant).where(Tenant.next_publish_at <= now)
    if tenant_id is not None:
        stmt = stmt.where(Tenant.id == tenant_id)
    result = db.session.execute(
        stmt.values(
            content_version=Tenant.content_version + 1,
            next_publish_at=_next_publish_subquery(now),
        ).execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount:
        hosts.forget()
    return result.rowcount


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


def resolve_tenant() -> None:
    """before_request: set `g.tenant_ref` from the Host header, or refuse the request.

    `g.tenant` (the ORM row with its domains and locations) is loaded on first use only,
    so a page-cache hit costs no query at all while the host is in `hosts`' table.
    """
    host = normalise_host(request.host)
    g.host = host
    if host in current_app.config["PLATFORM_HOSTS"] or request.blueprint == "health":
        g.tenant = None
        return
    ttl = current_app.config["TENANT_CACHE_SECONDS"]
    ref = hosts.lookup(host, ttl)
    if ref is None:
        abort(404)
    if not ref.is_active:
        g.unavailable_ref = ref  # its 503 page wears its name and theme
        abort(503)
    if ref.next_publish_at is not None:
        now = utcnow()
        if ref.next_publish_at <= now:
            publish_due_posts(now, ref.id)
            ref = hosts.lookup(host, ttl) or ref
    g.tenant_ref = ref


def _active_tenant_id() -> int | None:
    if not has_app_context():
        return None
    ref = g.get("tenant_ref")
    if ref is not None:
        return ref.id
    tenant = g.get("tenant")
    return tenant.id if tenant is not None else None


def _guard_tenant_rows(state: ORMExecuteState):
    """Second lock on ORM statements while a tenant is active.

    SELECT, UPDATE and DELETE of tenant rows are limited to the active tenant. A bulk
    UPDATE/DELETE of public content also bumps the content version (the after_flush
    hook only sees unit-of-work changes); without an active tenant, every tenant's.
    """
    if state.is_select and (state.is_column_load or state.is_relationship_load):
        return None
    if not (state.is_select or state.is_update or state.is_delete):
        return None
    tenant_id = None if state.execution_options.get("all_tenants") else _active_tenant_id()
    if tenant_id is not None:
        state.statement = state.statement.options(
            with_loader_criteria(
                TenantOwned,
                lambda cls: cls.tenant_id == tenant_id,
                include_aliases=True,
            )
        )
    if state.is_select:
        return None
    mapper = state.bind_mapper
    entity = mapper.class_ if mapper is not None else None
    if not (entity and issubclass(entity, TenantOwned) and entity.affects_public_pages):
        return None
    result = state.invoke_statement()
    bump_content_versions(state.session.connection(), {tenant_id} if tenant_id else None)
    state.session.info[_FORGET_HOSTS] = True
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
    if tenant_ids:
        bump_content_versions(session.connection(), tenant_ids)
        session.info[_FORGET_HOSTS] = True


_FORGET_HOSTS = "meridian.forget_hosts"


def _forget_hosts_after_commit(session: Session) -> None:
    """A committed content change is visible in this process at once (others: ≤ TTL)."""
    if session.info.pop(_FORGET_HOSTS, False):
        hosts.forget()


def _drop_flag_after_rollback(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_FORGET_HOSTS, None)


def init_app(app: Flask) -> None:
    app.app_ctx_globals_class = hosts.TenantGlobals
    app.before_request(resolve_tenant)
    # Session-class listeners are process-wide: register them once, however many apps.
    for name, listener in (
        ("do_orm_execute", _guard_tenant_rows),
        ("after_flush", _bump_after_flush),
        ("after_commit", _forget_hosts_after_commit),
        ("after_soft_rollback", _drop_flag_after_rollback),
    ):
        if not event.contains(FlaskSQLASession, name, listener):
            event.listen(FlaskSQLASession, name, listener)
