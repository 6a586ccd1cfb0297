"""Host → tenant, remembered in this process for at most TENANT_CACHE_SECONDS.

Every request needs the tenant's id, status and content version (the page-cache key),
and nothing else on a cached public page. Reading them from the database costs more
than the rest of such a request, so each process keeps a `TenantRef` per host for at
most a second (`TENANT_CACHE_SECONDS`, 0 turns it off): an edit made in another
process is visible within that second, and one made in this process at once, because
a commit that bumps a content version empties this process's table (see tenancy.py).
Unknown hosts are remembered too, so a flood of made-up Host headers costs a dict
lookup, not a query, per request. While the database cannot be reached, an expired
entry is used rather than none, so cached pages are still served during a restart.

The full ORM `Tenant` (with its domains and locations) is loaded only when a view
asks for `g.tenant`: never on a page-cache hit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import abort, g
from flask.ctx import _AppCtxGlobals
from sqlalchemy import bindparam, select
from sqlalchemy.exc import DBAPIError

from .extensions import db
from .models import Domain, Tenant


@dataclass(frozen=True, slots=True)
class TenantRef:
    """What every request needs of its tenant: plain data, safe to share across threads."""

    id: int
    slug: str
    status: str
    content_version: int
    next_publish_at: datetime | None

    @property
    def is_active(self) -> bool:
        return self.status == "active"


_REF_BY_HOST = (
    select(Tenant.id, Tenant.slug, Tenant.status, Tenant.content_version, Tenant.next_publish_at)
    .join(Domain, Domain.tenant_id == Tenant.id)
    .where(Domain.hostname == bindparam("host"), Domain.verified_at.is_not(None))
    .execution_options(all_tenants=True)
)

#: host -> (monotonic expiry, TenantRef or None for "no such host")
_known: dict[str, tuple[float, TenantRef | None]] = {}
#: Made-up hosts are remembered too, but never more than this many at once.
MAX_HOSTS = 10_000


def lookup(host: str, ttl: float) -> TenantRef | None:
    """The tenant serving `host`, from this process's table if seen within `ttl` s."""
    now = time.monotonic()
    entry = _known.get(host)
    if entry is not None and entry[0] > now:
        return entry[1]
    try:
        row = db.session.execute(_REF_BY_HOST, {"host": host}).first()
    except DBAPIError:
        if entry is None:
            raise
        # The database is restarting: keep serving what we knew (cached pages need
        # nothing else), and ask again on the next request.
        db.session.rollback()
        return entry[1]
    ref = TenantRef(*row) if row is not None else None
    if ttl > 0:
        if len(_known) >= MAX_HOSTS:
            _known.clear()
        _known[host] = (now + ttl, ref)
    return ref


def forget(host: str | None = None) -> None:
    """Drop one host (or every host) from this process's table."""
    if host is None:
        _known.clear()
    else:
        _known.pop(host, None)


def on_clinic_host() -> bool:
    """Whether this request is for a clinic (without loading the tenant row)."""
    return g.get("tenant_ref") is not None or g.get("tenant") is not None


class TenantGlobals(_AppCtxGlobals):
    """`g`, where `g.tenant` (installed by tenancy.init_app) is loaded from `g.tenant_ref` the first time it is read."""

    def _load_tenant(self) -> Tenant | None:
        ref = self.__dict__.get("tenant_ref")
        tenant = None
        if ref is not None:
            from .tenancy import load_tenant_for_host

            tenant = load_tenant_for_host(self.__dict__["host"])
            if tenant is None or tenant.id != ref.id:  # the domain moved in the last second
                abort(404)
        self.__dict__["tenant"] = tenant
        return tenant

    def __getattr__(self, name: str) -> Any:
        if name == "tenant" and "tenant_ref" in self.__dict__:
            return self._load_tenant()
        return super().__getattr__(name)

    def get(self, name: str, default: Any = None) -> Any:
        if name == "tenant" and "tenant" not in self.__dict__ and "tenant_ref" in self.__dict__:
            return self._load_tenant()
        return self.__dict__.get(name, default)

    def __contains__(self, item: str) -> bool:
        return item in self.__dict__ or (item == "tenant" and "tenant_ref" in self.__dict__)
