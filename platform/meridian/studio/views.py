"""The studio's home page."""

from __future__ import annotations

from flask import render_template

from ..auth.access import member_required
from . import bp, nav

nav.add("Home", "studio.home", order=0)


@bp.get("/")
@member_required
def home():
    """Where every member lands after signing in."""
    return render_template("studio/home.html")


@bp.app_context_processor
def studio_context() -> dict[str, object]:
    return {"studio_nav": nav.visible_items}
