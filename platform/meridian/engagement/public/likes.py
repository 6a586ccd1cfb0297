"""POST a like: a plain form that works without JavaScript; engage.js asks for JSON and
updates the count in place. The only cookie is set here, scoped to /likes."""

from __future__ import annotations

from flask import current_app, jsonify, redirect, request, url_for

from ...extensions import db
from ...site.queries import live_post_or_404
from ...tenancy import current_tenant
from .. import guard, likes
from . import bp, own_site_only, page

MESSAGES = {
    "liked": "Thank you for liking this post.",
    "already": "You have already liked this post. Thank you!",
    "limited": "Too many likes from your network just now. Please try again later.",
}


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    )


def _answer(post, outcome: str, status: int = 200):
    total = likes.count(post)
    if _wants_json():
        return jsonify(outcome=outcome, count=total, message=MESSAGES[outcome]), status
    if outcome == "liked":
        return redirect(url_for("site.post", slug=post.slug, _anchor="like"), 303)
    return page("like_result.html", status, post=post, outcome=outcome, message=MESSAGES[outcome])


@bp.post("/likes/<slug>")
def like(slug: str):
    refused = own_site_only()
    if refused is not None:
        return refused
    post = live_post_or_404(slug)
    if not guard.within_limits(("LIKE_RATE_LIMIT", f"ip:{guard.client_key()}")):
        return _answer(post, "limited", 429)
    key = request.cookies.get(likes.COOKIE)
    fresh = not likes.valid_browser_key(key)
    if fresh:
        key = likes.new_browser_key()
    added = likes.like(current_tenant(), post, key)
    db.session.commit()
    response = current_app.make_response(_answer(post, "liked" if added else "already"))
    if fresh:
        response.set_cookie(
            likes.COOKIE,
            key,
            max_age=likes.COOKIE_MAX_AGE,
            path=likes.COOKIE_PATH,
            secure=current_app.config["PUBLIC_SCHEME"] == "https",
            httponly=True,
            samesite="Strict",
        )
    return response
