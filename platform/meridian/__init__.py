"""Meridian: many branded clinic microsites served by one Flask application."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, g, render_template
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException

from . import auth, formatting, mail, media, params, proxy, safety, security, templating, tenancy
from .config import ROOT, Config, refuse_weak_secret
from .extensions import cache, csrf, db, limiter, migrate
from .hotpath import Meridian, SessionInterface


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application. No I/O happens here beyond reading configuration."""
    settings = Config()
    instance = (config or {}).get("INSTANCE_PATH", settings.INSTANCE_PATH)
    app = Meridian(__name__, instance_path=instance, instance_relative_config=False)
    app.session_interface = SessionInterface()
    app.config.from_object(settings)
    if config:
        app.config.update(config)
    app.config.setdefault("CACHE_DEFAULT_TIMEOUT", app.config["PAGE_CACHE_SECONDS"])
    if app.config.get("REDIS_URL"):
        app.config.setdefault("CACHE_TYPE", "RedisCache")
        app.config.setdefault("CACHE_REDIS_URL", app.config["REDIS_URL"])
        app.config.setdefault("CACHE_KEY_PREFIX", "meridian:")
        if app.config["CACHE_TYPE"] == "RedisCache":
            # A Redis that hangs must cost a page a quarter second, not a worker.
            app.config.setdefault(
                "CACHE_OPTIONS", {"socket_timeout": 0.25, "socket_connect_timeout": 0.25}
            )
    else:
        app.config.setdefault("CACHE_TYPE", "SimpleCache")
        app.config.setdefault("CACHE_THRESHOLD", 2000)

    safety.check(app.config)  # production: every unsafe setting, one line each
    refuse_weak_secret(app.config)  # anywhere but the tests
    # The script root and host come from configuration, never from request headers.
    proxy.init_app(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    cache.init_app(app)
    # The limiter first: a flood is refused before any other work (CSRF included).
    limiter.init_app(app)
    csrf.init_app(app)
    templating.init_app(app, ROOT / "templates")
    tenancy.init_app(app)
    # After tenancy: a refused request still gets its clinic's error page.
    params.init_app(app)
    security.init_app(app)
    formatting.init_app(app)
    mail.init_app(app)
    auth.init_app(app)

    from .admin import bp as admin_bp
    from .booking import bp as booking_bp
    from .desk.feed import bp as feed_bp
    from .directory import bp as directory_bp
    from .engagement.public import bp as engagement_bp
    from .health import bp as health_bp
    from .preview import bp as preview_bp
    from .privacy.public import bp as privacy_bp
    from .site import bp as site_bp
    from .studio import bp as studio_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(site_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(booking_bp)
    app.register_blueprint(feed_bp)
    app.register_blueprint(engagement_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(studio_bp)
    app.register_blueprint(preview_bp)
    app.register_blueprint(admin_bp)
    media.init_app(app)
    from .privacy import retention  # noqa: F401  (registers its worker retention_hook)

    app.add_url_rule("/", "index", _index)

    from .auth.access import undeclared_views

    if undeclared := undeclared_views(app):
        raise RuntimeError(f"studio/admin views without an access rule: {undeclared}")

    from .cli import register as register_cli

    register_cli(app)
    _register_error_pages(app)
    return app


def _index():
    """`/` is the clinic's home page on a tenant host and the directory elsewhere."""
    from .directory.views import index as directory_index
    from .site.views import home

    return home() if tenancy.on_clinic_host() else directory_index()


_index.public_page = True  # type: ignore[attr-defined]  (both answers are reading pages)


def _register_error_pages(app: Flask) -> None:
    from .site.missing import note_missing
    from .site.moved import moved_answer

    def page(template: str, code: int, name: str, **context: Any):
        if request_ctx.url_adapter is None:
            # The Host could not even be parsed (e.g. `a..b`): no URL can be built, so
            # no template that links anywhere can be rendered.
            return f"{code} {name}\n", code, {"Content-Type": "text/plain; charset=utf-8"}
        if "host" not in g:
            # Refused before the tenant was resolved (the rate limiter and the CSRF check
            # run first): still answer in the clinic's look when the Host is a clinic's.
            try:
                tenancy.resolve_tenant()
            except HTTPException:
                g.tenant = None
        return render_template(template, code=code, **context), code

    def render_error(error: HTTPException):
        code = error.code or 500
        if code == 429:
            return _too_many(page, error)
        if code == 404 and request_ctx.url_adapter is not None:
            moved = moved_answer()  # an old address the clinic keeps (301)
            if moved is not None:
                return moved
            note_missing()  # the 404 watch (admin console)
        template = f"errors/{code}.html" if code in (404, 503) else "errors/generic.html"
        return page(template, code, error.name, error=error)

    for code in (400, 403, 404, 405, 410, 413, 429, 503):
        app.register_error_handler(code, render_error)

    @app.errorhandler(500)
    def internal_error(error):
        db.session.rollback()
        return page("errors/500.html", 500, "Internal Server Error")


def _too_many(page, error: HTTPException):
    """The clinic's own page for a rate limit, saying when to try again (and a
    Retry-After header with the same answer)."""
    import math
    import time

    current = limiter.current_limit
    wait = max(1, math.ceil(current.reset_at - time.time())) if current else 60
    body = page(
        "errors/429.html", 429, error.name, error=error, wait_minutes=max(1, (wait + 30) // 60)
    )
    if isinstance(body, tuple) and len(body) == 2:
        return body[0], 429, {"Retry-After": str(wait)}
    return body
