"""Serving the copies: `/media/<name>` on the clinic's own host only.

Names carry the content's hash, so a copy never changes under its name: browsers and
proxies may keep it for a year without asking again (`immutable`). A copy is served
only if the current clinic has a media item with that token *and* the key under the
clinic's own id exists in storage, so another clinic's media is a 404 on this host.
"""

from __future__ import annotations

import re

from flask import abort, current_app, request

from ..extensions import db
from ..models import MediaItem
from ..tenancy import current_tenant, tenant_select
from . import bp
from .storage import storage

NAME = re.compile(r"^(?P<token>[0-9a-f]{16})-[0-9]{1,5}w-(?P<digest>[0-9a-f]{12})\.webp$")
YEAR = 365 * 86_400


@bp.get("/media/<name>")
def copy(name: str):
    """One stored copy of an image, with a long, immutable cache lifetime."""
    tenant = current_tenant()
    match = NAME.match(name)
    if match is None:
        abort(404)
    item = db.session.scalars(
        tenant_select(MediaItem).where(MediaItem.token == match["token"])
    ).first()
    if item is None or name not in item.names:
        abort(404)
    data = storage().get(f"{tenant.id}/{name}")
    if data is None:
        abort(404)
    response = current_app.response_class(data, mimetype="image/webp")
    response.set_etag(match["digest"])
    response.cache_control.public = True
    response.cache_control.max_age = YEAR
    response.cache_control.immutable = True
    return response.make_conditional(request)
