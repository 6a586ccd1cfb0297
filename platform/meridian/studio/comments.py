"""Moderating comments: approve, mark as spam, delete (asked first), reply as the clinic,
in bulk or one at a time, and the clinic's choice of what to hold. Owners and editors.

One form holds the whole list (no nested forms): the per-comment buttons submit
`one=<action>:<id>`, the bulk button applies `action` to the ticked `ids`. Ids are read
through the tenant scope: another clinic's id is a 404 and nothing changes.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..auth.access import role_required
from ..auth.audit import record
from ..engagement import comments as service
from ..engagement.forms import COMMENT_MAX
from ..extensions import db
from ..models import COMMENT_POLICIES, Comment, Post
from ..params import MAX_PAGE, ascii_int
from ..tenancy import current_tenant, get_for_tenant_or_404, tenant_select
from . import bp, nav

nav.add("Comments", "studio.comments", order=40)

TABS = {"held": "Waiting", "approved": "Approved", "spam": "Spam"}
ACTIONS = {"approve": "approved", "spam": "spam", "unspam": "held", "delete": None}
DONE = {"approve": "Approved", "spam": "Marked as spam", "unspam": "Moved back to waiting"}
POLICY_LABELS = {
    "hold_all": "Hold every comment until someone here approves it",
    "hold_first": "Hold only a commenter’s first comment (the next ones from the same "
    "e-mail address appear at once)",
}
PER_PAGE = 50


class ActForm(FlaskForm):
    """The list's form: only the CSRF token is declared (ids and actions parsed below)."""


class ReplyForm(FlaskForm):
    body = TextAreaField(
        "Your reply, shown under the comment as the clinic",
        validators=[
            DataRequired(message="Write the reply."),
            Length(max=COMMENT_MAX, message=f"Keep the reply under {COMMENT_MAX:,} characters."),
        ],
    )


class PolicyForm(FlaskForm):
    policy = RadioField(
        "Which comments wait for approval",
        choices=[SelectChoice(value, label) for value, label in POLICY_LABELS.items()],
    )


def _actor():
    return current_user._get_current_object()


def _tab() -> str:
    tab = request.values.get("status", "held")
    return tab if tab in TABS else "held"


def _counts() -> dict[str, int]:
    rows = db.session.execute(
        tenant_select(Comment, Comment.by_clinic.is_(False))
        .with_only_columns(Comment.status, func.count(Comment.id))
        .group_by(Comment.status)
    )
    return {status: count for status, count in rows}


@bp.get("/comments")
@role_required("owner", "editor")
def comments():
    """The comments in one state (waiting first), newest first, with their posts."""
    tab = _tab()
    page_number = ascii_int(request.args.get("page"), 1, MAX_PAGE) or 1
    stmt = (
        tenant_select(Comment, Comment.status == tab, Comment.by_clinic.is_(False))
        .add_columns(Post.title, Post.slug)
        .join(Post, (Post.id == Comment.post_id) & (Post.tenant_id == Comment.tenant_id))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )
    total = _counts()
    rows = db.session.execute(stmt.limit(PER_PAGE).offset((page_number - 1) * PER_PAGE)).all()
    tenant = current_tenant()
    return render_template(
        "studio/comments.html",
        tab=tab,
        tabs=TABS,
        counts=total,
        rows=rows,
        page=page_number,
        pages=max(1, -(-total.get(tab, 0) // PER_PAGE)),
        form=ActForm(),
        policy_form=PolicyForm(policy=tenant.comment_policy),
        has_faq="studio.comment_faq" in current_app.view_functions,
    )


def _chosen() -> tuple[str, list[Comment]]:
    """(action, comments) from `one=<action>:<id>` or `action` + `ids`; 404 for any id
    that is not one of this clinic's readers' comments, 400 for nonsense."""
    one = request.form.get("one", "")
    if one:
        action, _, raw_ids = one.partition(":")
        raw = [raw_ids]
    else:
        action, raw = request.form.get("action", ""), request.form.getlist("ids")
    if action not in ACTIONS:
        abort(400)
    parsed = [ascii_int(value) for value in raw]
    if None in parsed:
        abort(400)
    ids = sorted(set(parsed))
    found = list(
        db.session.scalars(
            tenant_select(Comment, Comment.id.in_(ids), Comment.by_clinic.is_(False))
        )
    )
    if len(found) != len(ids):
        abort(404)
    return action, found


def _back(tab: str):
    return redirect(url_for("studio.comments", status=tab), 303)


@bp.post("/comments")
@role_required("owner", "editor")
def comments_act():
    tab = _tab()
    form = ActForm()
    if not form.validate():
        abort(400)
    action, chosen = _chosen()
    if not chosen:
        flash("Tick at least one comment first.", "error")
        return _back(tab)
    if action == "delete":
        return render_template(
            "studio/comments_delete.html", comments=chosen, form=ActForm(), tab=tab
        )
    changed = service.set_status(chosen, ACTIONS[action])
    record(
        f"comment.{action}",
        actor=_actor(),
        target="comments:" + ",".join(str(c.id) for c in chosen),
        count=changed,
    )
    db.session.commit()
    flash(f"{DONE[action]}: {changed} comment{'s' if changed != 1 else ''}.", "success")
    return _back(tab)


@bp.post("/comments/delete")
@role_required("owner", "editor")
def comments_delete():
    """The second step of deleting: the ticked comments (and their replies) go for good."""
    tab = _tab()
    form = ActForm()
    if not form.validate():
        abort(400)
    _, chosen = _chosen()
    ids = ",".join(str(c.id) for c in chosen)
    deleted = service.delete(chosen)
    record("comment.delete", actor=_actor(), target=f"comments:{ids}", count=deleted)
    db.session.commit()
    flash(f"Deleted {deleted} comment{'s' if deleted != 1 else ''}.", "success")
    return _back(tab)


@bp.route("/comments/<int:comment_id>/reply", methods=["GET", "POST"])
@role_required("owner", "editor")
def comment_reply(comment_id: int):
    """Answer as the clinic: the reply appears at once, and the comment with it."""
    comment = get_for_tenant_or_404(Comment, id=comment_id, by_clinic=False)
    post = get_for_tenant_or_404(Post, id=comment.post_id)
    form = ReplyForm()
    if form.validate_on_submit():
        answer = service.reply(current_tenant(), comment, form.body.data.strip())
        db.session.flush()
        record("comment.reply", actor=_actor(), target=f"comment:{comment.id}", reply=answer.id)
        db.session.commit()
        flash("Reply published under the comment.", "success")
        return _back("approved")
    status = 422 if form.errors else 200
    return render_template("studio/comment_reply.html", comment=comment, post=post, form=form), (
        status
    )


@bp.post("/comments/settings")
@role_required("owner")
def comments_settings():
    form = PolicyForm()
    if not form.validate() or form.policy.data not in COMMENT_POLICIES:
        abort(400)
    tenant = current_tenant()
    if tenant.comment_policy != form.policy.data:
        before = tenant.comment_policy
        tenant.comment_policy = form.policy.data
        record(
            "comments.policy", actor=_actor(), target="comments", policy=[before, form.policy.data]
        )
        db.session.commit()
    flash("Saved: " + POLICY_LABELS[form.policy.data] + ".", "success")
    return _back(_tab())
