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
* Keeping cached pages fresh (content versions, scheduled posts) is `pagecache`'s job.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Flask, abort, current_app, g, has_app_context, request
from flask_sqlalchemy.session import Session as FlaskSQLASession
from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import ORMExecuteState, joinedload, with_loader_criteria

from .extensions import db
from .models import Domain, Tenant, TenantOwned

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
    .where(Domain.hostname == bindparam("host"))
    .options(joinedload(Tenant.domains), joinedload(Tenant.locations))
)


def load_tenant_for_host(host: str) -> Tenant | None:
    """One query: the tenant for a host with its domains and locations."""
    return db.session.scalars(_TENANT_BY_HOST, {"host": host}).unique().first()


def resolve_tenant() -> None:
    """before_request: set `g.tenant` from the Host header, or refuse the request."""
    host = normalise_host(request.host)
    g.host = host
    g.tenant = None
    if host in current_app.config["PLATFORM_HOSTS"]:
        return
    tenant = load_tenant_for_host(host)
    if tenant is None:
        abort(404)
    if not tenant.is_active:
        abort(503)
    g.tenant = tenant


def active_tenant_id() -> int | None:
    if not has_app_context():
        return None
    tenant = g.get("tenant")
    return tenant.id if tenant is not None else None


def _guard_tenant_rows(state: ORMExecuteState) -> None:
    """Second lock: while a tenant is active, ORM SELECT, UPDATE and DELETE of tenant rows
    are limited to it (unless the statement says `all_tenants=True`)."""
    if state.is_select and (state.is_column_load or state.is_relationship_load):
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    tenant_id = None if state.execution_options.get("all_tenants") else active_tenant_id()
    if tenant_id is not None:
        state.statement = state.statement.options(
            with_loader_criteria(
                TenantOwned,
                lambda cls: cls.tenant_id == tenant_id,
                include_aliases=True,
            )
        )


def init_app(app: Flask) -> None:
    app.before_request(resolve_tenant)
    # Session-class listeners are process-wide: register them once, however many apps.
    # The guard must come before pagecache's bulk listener, which runs the statement.
    if not event.contains(FlaskSQLASession, "do_orm_execute", _guard_tenant_rows):
        event.listen(FlaskSQLASession, "do_orm_execute", _guard_tenant_rows)
