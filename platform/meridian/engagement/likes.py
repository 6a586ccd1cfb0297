"""Likes: one per browser per post, with no cookie on any reading page.

The choice: the like POST's response sets a random, HttpOnly cookie whose `Path` is
`/likes`, so the browser sends it back only to the like endpoint and never with a
reading page (which stays cacheable by any proxy and needs no cookie banner). The
database keeps a keyed hash of that value, unique per post, so a second like from
the same browser is recognised and counts once, even from two tabs at once.

The limits, said plainly: a reader who clears cookies, opens a private window or
uses another browser can like again. Client addresses are rate limited per clinic
(LIKE_RATE_LIMIT), which bounds what a script clearing its cookie can add. Deduping
by a hash of address and browser instead would count a whole waiting room (one
address behind the clinic's router) as one reader, and a phone moving between
networks as several.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Like, Post, Tenant

COOKIE = "liker"
COOKIE_PATH = "/likes"
COOKIE_MAX_AGE = 400 * 86_400  # browsers cap cookie lifetimes at 400 days


def new_browser_key() -> str:
    return secrets.token_urlsafe(24)


def valid_browser_key(value: str | None) -> bool:
    return (
        bool(value) and 20 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum()
    )


def liker_hash(browser_key: str) -> str:
    secret = current_app.secret_key
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, f"like:{browser_key}".encode(), hashlib.sha256).hexdigest()[:64]


def like(tenant: Tenant, post: Post, browser_key: str) -> bool:
    """Record the like; False if this browser had liked the post already."""
    try:
        with db.session.begin_nested():
            db.session.add(
                Like(tenant_id=tenant.id, post_id=post.id, liker=liker_hash(browser_key))
            )
    except IntegrityError:
        return False
    return True


def count(post: Post) -> int:
    return db.session.scalar(
        select(func.count(Like.id)).where(Like.tenant_id == post.tenant_id, Like.post_id == post.id)
    )
