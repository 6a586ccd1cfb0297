"""Subscribers (owners only): who is subscribed, a CSV export, what was sent, and
removing an address on request. Exports and removals are audit-logged."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import String, case, cast, func, literal

from .. import spreadsheet
from ..auth.access import role_required
from ..auth.audit import record
from ..engagement.subscriptions import unsubscribe
from ..extensions import db
from ..models import OutboxMessage, Post, PostMailing, Subscriber
from ..params import MAX_PAGE, ascii_int
from ..tenancy import current_tenant, get_for_tenant_or_404, tenant_select
from . import bp, nav

nav.add("Subscribers", "studio.subscribers", order=55)
STATES = {"confirmed": "Subscribed", "pending": "Not confirmed yet", "unsubscribed": "Unsubscribed"}
PER_PAGE = 100


class ConfirmForm(FlaskForm):
    """Only the CSRF token."""


def _page_number() -> int:
    return ascii_int(request.args.get("page"), 1, MAX_PAGE) or 1


def _mailings() -> list[tuple]:
    """The posts announced by e-mail (newest first), each with how its e-mails fared in
    the outbox (keys `new-post:<post>:<subscriber>`), in one statement."""
    pattern = literal("new-post:") + cast(PostMailing.post_id, String) + literal(":%")
    status = OutboxMessage.status

    def count(*states: str):
        return func.sum(case((status.in_(states), 1), else_=0))

    stmt = (
        tenant_select(PostMailing)
        .add_columns(
            Post.title,
            Post.slug,
            count("sent"),
            count("queued", "sending"),
            count("failed"),
            count("withdrawn"),
        )
        .join(Post, (Post.id == PostMailing.post_id) & (Post.tenant_id == PostMailing.tenant_id))
        .outerjoin(
            OutboxMessage,
            (OutboxMessage.tenant_id == PostMailing.tenant_id)
            & OutboxMessage.idempotency_key.like(pattern),
        )
        .where(PostMailing.queued > 0)
        .group_by(PostMailing.id, Post.title, Post.slug)
        .order_by(PostMailing.started_at.desc())
        .limit(50)
    )
    return [
        (
            mailing,
            title,
            slug,
            dict(zip(("sent", "waiting", "failed", "withdrawn"), rest, strict=True)),
        )
        for mailing, title, slug, *rest in db.session.execute(stmt)
    ]


@bp.get("/subscribers")
@role_required("owner")
def subscribers():
    tab = request.args.get("status", "confirmed")
    if tab not in STATES:
        tab = "confirmed"
    page = _page_number()
    counts = dict(
        db.session.execute(
            tenant_select(Subscriber)
            .with_only_columns(Subscriber.status, func.count(Subscriber.id))
            .group_by(Subscriber.status)
        ).all()
    )
    rows = db.session.scalars(
        tenant_select(Subscriber, Subscriber.status == tab)
        .order_by(Subscriber.created_at.desc(), Subscriber.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return render_template(
        "studio/subscribers.html",
        tab=tab,
        states=STATES,
        counts=counts,
        rows=rows,
        page=page,
        pages=max(1, -(-counts.get(tab, 0) // PER_PAGE)),
        mailings=_mailings(),
        form=ConfirmForm(),
    )


@bp.get("/subscribers.csv")
@role_required("owner")
def subscribers_csv():
    """Every address with its state and dates (UTC, ISO 8601). The export is audited."""
    rows = db.session.scalars(tenant_select(Subscriber).order_by(Subscriber.id)).all()
    document = spreadsheet.table(
        spreadsheet.SUBSCRIBER_COLUMNS, (spreadsheet.subscriber_row(s) for s in rows)
    )
    record("subscribers.export", actor=current_user._get_current_object(), count=len(rows))
    db.session.commit()
    name = f"{current_tenant().slug}-subscribers.csv"
    return Response(
        document,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/subscribers/<int:subscriber_id>/remove")
@role_required("owner")
def subscriber_remove(subscriber_id: int):
    """Unsubscribe an address (e.g. the person asked the clinic by phone)."""
    subscriber = get_for_tenant_or_404(Subscriber, id=subscriber_id)
    if not ConfirmForm().validate():
        abort(400)
    if unsubscribe(subscriber):
        record(
            "subscriber.remove",
            actor=current_user._get_current_object(),
            target=f"subscriber:{subscriber.id}",
        )
        db.session.commit()
        flash(f"{subscriber.email} is unsubscribed.", "success")
    return redirect(url_for("studio.subscribers", status="unsubscribed"), 303)
