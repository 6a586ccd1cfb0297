"""Shareable previews of unpublished posts: `/preview/<token>` on the clinic's host.

A signed, expiring link (PREVIEW_LINK_DAYS) shows the post as it is saved *now*, in
the public page's own templates, to someone without an account. The page says it is
a preview, is never stored by any cache (`no-store`), asks search engines not to index
it (`X-Robots-Tag` and a robots meta tag) and sets no cookie. Once the post is live
the link leads to the public page.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, make_response, redirect, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .models import Post, utcnow
from .tenancy import current_tenant, get_for_tenant_or_404

bp = Blueprint("preview", __name__)
SALT = "post-preview"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def max_age() -> int:
    return int(current_app.config.get("PREVIEW_LINK_DAYS", 7)) * 86_400


def make_link(post: Post) -> tuple[str, datetime]:
    """The path of a new preview link for `post`, and when it stops working."""
    token = _serializer().dumps({"t": post.tenant_id, "p": post.id})
    return url_for("preview.show", token=token), utcnow() + timedelta(seconds=max_age())


def read_token(token: str) -> tuple[dict[str, Any], datetime]:
    """The token's data and when it was made; 410 when expired, 404 when not ours."""
    try:
        data, made = _serializer().loads(token, max_age=max_age(), return_timestamp=True)
    except SignatureExpired:
        abort(410, description="This preview link has expired. Ask the clinic for a new one.")
    except BadSignature:
        abort(404)
    if not isinstance(data, dict) or not isinstance(data.get("p"), int):
        abort(404)
    return data, made


def private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/preview/<token>")
def show(token: str):
    """The saved draft, exactly as its public page will show it."""
    tenant = current_tenant()
    data, made = read_token(token)
    if data.get("t") != tenant.id:
        abort(404)  # another clinic's link, replayed on this host
    post = get_for_tenant_or_404(Post, id=data["p"])
    if post.is_live():
        return private(redirect(url_for("site.post", slug=post.slug)))
    from .site.views import render_post

    expires = made + timedelta(seconds=max_age())
    return private(make_response(render_post(post, 0, preview={"expires": expires})))


@bp.before_request
def clinic_host_only() -> None:
    if g.get("tenant") is None:
        abort(404)
