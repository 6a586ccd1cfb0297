"""The few overrides that keep a cached public page close to Flask's own cost.

Measured with pyinstrument on a page-cache hit (bench/README.md, "Where the time
goes"): after the tenant lookup (hosts.py) and the rate limiter (extensions.py), the
largest costs left were Flask asking `inspect.iscoroutinefunction` about every hook
on every request, and the session interface building a new itsdangerous serializer
for every request, even one that carries no session cookie. Both are work that does
not depend on the request, so it is done once here. Flask-Limiter's three hooks and
Flask-WTF's CSRF check also skip public reading pages (GET, no limit, no form) early.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask_limiter
import flask_wtf
from flask import Flask, current_app, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class Meridian(Flask):
    """Flask, remembering which hooks and views are plain functions."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            return self._sync[func]
        except KeyError:
            result = self._sync[func] = super().ensure_sync(func)
            return result
        except TypeError:  # an unhashable callable: ask Flask every time
            return super().ensure_sync(func)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions; no work at all for a request without the cookie."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, Any] = {}

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            self._serializers = {keys: serializer}  # one key set at a time
        return serializer

    def open_session(self, app: Flask, request: Any) -> SecureCookieSession | None:
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def reading_page() -> bool:
    """Whether this request is a GET of a public reading page (`pagecache.public_page`)."""
    if request.method not in ("GET", "HEAD"):
        return False
    return getattr(current_app.view_functions.get(request.endpoint or ""), "public_page", False)


def _unless_reading_page(hook):
    def hook_unless_reading_page(arg):
        return arg if reading_page() else hook(arg)

    return hook_unless_reading_page


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter, whose three hooks skip public reading pages (which carry no limit):
    together they cost more than the rest of a cached page (bench/README.md)."""

    def init_app(self, app) -> None:
        first = self not in app.extensions.get("limiter", set())
        super().init_app(app)
        if first:  # the hooks it just appended
            for hooks in (app.after_request_funcs[None], app.teardown_request_funcs[None]):
                hooks[-1] = _unless_reading_page(hooks[-1])

    def _check_request_limit(self, callable_name=None, in_middleware=True) -> None:
        if in_middleware and reading_page():
            return
        super()._check_request_limit(callable_name, in_middleware)


class CSRFProtect(flask_wtf.CSRFProtect):
    """Flask-WTF's CSRF check, asking the cheap question (is this a POST?) first."""

    def protect(self, apply_exemptions: bool = False) -> None:
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        super().protect(apply_exemptions)
