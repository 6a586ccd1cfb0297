"""POST a comment from a post page; thank the reader; never lose their text."""

from __future__ import annotations

from flask import redirect, request, url_for

from ...extensions import db
from ...site.queries import live_post_or_404, live_post_with_likes_or_404
from ...site.views import render_post
from ...tenancy import current_tenant
from .. import guard
from ..comments import add_comment
from ..forms import CommentForm
from . import bp, own_site_only, page

NOTICES = {
    "check": "Almost there: please check your comment and press “Post comment” again.",
    "limited": (
        "You have sent several comments in a short time. Please wait a few minutes, "
        "then send this one again: your text is kept below."
    ),
    "invalid": "Your comment was not sent yet. Please correct the marked fields below.",
}


def _again(post, likes: int, form: CommentForm, status: int, notice: str):
    """The post page again, the reader's text in the form, a fresh stamp, a clear notice."""
    form.stamp.data = guard.make_stamp("comment")
    return render_post(post, likes, comment_form=form, comment_notice=NOTICES[notice]), status


@bp.post("/comments/<slug>")
def comment(slug: str):
    refused = own_site_only()
    if refused is not None:
        return refused
    post, likes = live_post_with_likes_or_404(slug)
    form = CommentForm(request.form)
    if not guard.within_limits(
        ("COMMENT_RATE_LIMIT", f"ip:{guard.client_key()}"),
        ("COMMENT_POST_RATE_LIMIT", f"post:{post.id}"),
    ):
        return _again(post, likes, form, 429, "limited")
    if form.is_bot:
        # Thank the bot exactly as a person would be thanked; store nothing.
        return redirect(url_for(".comment_thanks", slug=post.slug), 303)
    if not form.validate():
        return _again(post, likes, form, 422, "invalid")
    if not guard.stamp_ok(form.stamp.data, "comment"):
        return _again(post, likes, form, 200, "check")
    saved = add_comment(
        current_tenant(), post, name=form.name.data, email=form.email.data, body=form.body.data
    )
    db.session.commit()
    if saved.status == "approved":
        return redirect(url_for("site.post", slug=post.slug, _anchor=f"comment-{saved.id}"), 303)
    return redirect(url_for(".comment_thanks", slug=post.slug), 303)


@bp.get("/comments/<slug>/thanks")
def comment_thanks(slug: str):
    return page("comment_thanks.html", post=live_post_or_404(slug))
