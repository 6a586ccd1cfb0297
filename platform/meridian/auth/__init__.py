"""Accounts and sign-in: sessions, the access check, passwords, the second-factor seam.

* `access`        the decorators every studio/admin view declares, and `enforce()`
* `sessions`      Flask-Login wiring: host-bound, versioned sessions with timeouts
* `signin`        the sign-in pipeline and pages (mounted on both studio and admin)
* `second_factor` the registry second-factor methods plug into
* `passwords`     argon2id hashing and the password rules
* `audit`         `record(action, ...)`: the audit log
"""

from __future__ import annotations

from flask import Flask, g
from flask_login import current_user

from .sessions import login_manager


def init_app(app: Flask) -> None:
    # Flask-Login's own context processor would load the user (reading the session) on
    # every render, public pages included; ours hands templates the lazy proxy instead.
    login_manager.init_app(app, add_context_processor=False)

    @app.context_processor
    def auth_context() -> dict[str, object]:
        from .access import may

        return {"current_user": current_user, "current_membership": g.get("membership"), "may": may}
