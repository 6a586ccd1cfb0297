"""Signed-in sessions: bound to one host's tenant, versioned, with idle and absolute ends.

Flask's session is a signed cookie, so a copy lives as long as it verifies. What makes
a copy useless:

* `_user_id` is `"<id>:<session_version>"` (User.get_id): sign-out, "sign out
  everywhere", a password change or removal bump the version, and every copy of every
  session of that user then names nobody.
* `auth_t` binds the session to the clinic (or the platform) it was made on: replayed
  on another clinic's host it is refused, even though the cookie's signature is valid.
* `auth_at` / `auth_seen`: absolute and idle timeouts (AUTH_ABSOLUTE_HOURS,
  AUTH_IDLE_MINUTES), checked on every request that looks at the user.
* the user must still be active and a member of this clinic (or a platform admin on
  the platform host); the membership found is kept in `g.membership`.
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, g, session
from flask_login import LoginManager, login_user, logout_user
from sqlalchemy import select

from ..extensions import db
from ..models import Membership, User
from ..tenancy import tenant_select


class SessionLoginManager(LoginManager):
    """Flask-Login without remember-me cookies: a session ends with the browser or the
    timeouts. (Its after_request hook would also read the session on every response,
    public pages included, adding `Vary: Cookie` to pages that must stay cacheable.)"""

    def _update_remember_cookie(self, response):
        return response

    def _load_user_from_remember_cookie(self, cookie):
        return None


login_manager = SessionLoginManager()
login_manager.session_protection = None  # our own binding below replaces it

AUTH_KEYS = ("_user_id", "_fresh", "_id", "_remember", "auth_t", "auth_at", "auth_seen")
PENDING = "auth_pending"
# Rewrite the cookie for idle tracking at most this often (seconds).
SEEN_RESOLUTION = 60


def host_key() -> str:
    """What a session is bound to: this clinic, or the platform."""
    tenant = g.get("tenant")
    return f"tenant:{tenant.id}" if tenant is not None else "platform"


def _now() -> int:
    return int(time.time())


def session_fields(user: User, now: int | None = None) -> dict[str, Any]:
    """The auth part of a session for `user` on this host (tests plant it too)."""
    now = _now() if now is None else now
    return {"auth_t": host_key(), "auth_at": now, "auth_seen": now}


def start_session(user: User) -> None:
    """A brand-new session for `user`: whatever the browser held before is dropped."""
    session.clear()
    login_user(user, remember=False, fresh=True)
    session.update(session_fields(user))


def end_session() -> None:
    logout_user()
    session.clear()


def membership_here(user_id: int) -> Membership | None:
    return db.session.scalars(tenant_select(Membership, Membership.user_id == user_id)).first()


def allowed_here(user: User) -> Membership | bool | None:
    """The user's membership of this clinic, True for an admin on the platform host,
    None when this host is not for them."""
    if not user.is_active:
        return None
    if g.get("tenant") is None:
        return True if user.is_platform_admin else None
    return membership_here(user.id)


def _refuse(reason: str) -> None:
    for key in AUTH_KEYS:
        session.pop(key, None)
    g.auth_ended = reason
    return None


@login_manager.user_loader
def load_user(ident: str) -> User | None:
    """Flask-Login's loader: every check above, or None (the visitor is signed out)."""
    user_id, _, version = ident.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return _refuse("invalid")
    if session.get("auth_t") != host_key():
        return _refuse("elsewhere")
    now = _now()
    config = current_app.config
    started, seen = session.get("auth_at", 0), session.get("auth_seen", 0)
    if not (isinstance(started, int) and isinstance(seen, int)):
        return _refuse("invalid")
    if now - started > int(config["AUTH_ABSOLUTE_HOURS"]) * 3600:
        return _refuse("expired")
    if now - seen > int(config["AUTH_IDLE_MINUTES"]) * 60:
        return _refuse("idle")
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return _refuse("ended")
    where = allowed_here(user)
    if where is None:
        return _refuse("ended")
    g.membership = where if isinstance(where, Membership) else None
    if now - seen >= SEEN_RESOLUTION:
        session["auth_seen"] = now
    return user


def end_every_session(user: User) -> None:
    """Every copy of every session cookie of this user stops working (caller commits)."""
    user.session_version = (user.session_version or 0) + 1


def end_clinic_sessions(tenant_id: int) -> None:
    """Suspension: every member of the clinic is signed out everywhere (caller commits)."""
    from sqlalchemy import update

    members = select(Membership.user_id).where(Membership.tenant_id == tenant_id)
    db.session.execute(
        update(User)
        .where(User.id.in_(members.execution_options(all_tenants=True).scalar_subquery()))
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )
