"""The contact form's inbox: read, replied, archived. Owners and the front desk.

Reading a message changes nothing (every change is a POST); the states are set with
buttons and audit-logged, without the message's text (it may be about health).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func

from ..auth.access import role_required
from ..auth.audit import record
from ..engagement.contact import set_state
from ..extensions import db
from ..models import ContactMessage
from ..tenancy import get_for_tenant_or_404, tenant_select
from . import bp, nav

nav.add("Messages", "studio.messages", order=45)
BOXES = {"open": "Inbox", "replied": "Replied", "archived": "Archived"}
IN_BOX = {"open": ("new", "read"), "replied": ("replied",), "archived": ("archived",)}
MARKS = {
    "read": "Marked as read",
    "new": "Marked as unread",
    "replied": "Marked as replied",
    "archived": "Archived",
}
PER_PAGE = 50


class StateForm(FlaskForm):
    """Only the CSRF token; the state comes from the button pressed."""


def _box() -> str:
    box = request.values.get("box", "open")
    return box if box in BOXES else "open"


@bp.get("/messages")
@role_required("owner", "front_desk")
def messages():
    box = _box()
    counts = dict(
        db.session.execute(
            tenant_select(ContactMessage)
            .with_only_columns(ContactMessage.status, func.count(ContactMessage.id))
            .group_by(ContactMessage.status)
        ).all()
    )
    rows = db.session.scalars(
        tenant_select(ContactMessage, ContactMessage.status.in_(IN_BOX[box]))
        .order_by(ContactMessage.created_at.desc(), ContactMessage.id.desc())
        .limit(PER_PAGE)
    ).all()
    totals = {key: sum(counts.get(state, 0) for state in IN_BOX[key]) for key in BOXES}
    return render_template(
        "studio/messages.html", box=box, boxes=BOXES, totals=totals, rows=rows, unread=counts
    )


@bp.get("/messages/<int:message_id>")
@role_required("owner", "front_desk")
def message(message_id: int):
    item = get_for_tenant_or_404(ContactMessage, id=message_id)
    return render_template("studio/message.html", message=item, form=StateForm())


@bp.post("/messages/<int:message_id>")
@role_required("owner", "front_desk")
def message_mark(message_id: int):
    item = get_for_tenant_or_404(ContactMessage, id=message_id)
    state = request.form.get("state", "")
    if not StateForm().validate() or state not in MARKS:
        abort(400)
    if set_state(item, state):
        record(
            f"message.{state}",
            actor=current_user._get_current_object(),
            target=f"message:{item.id}",
        )
        db.session.commit()
    flash(f"{MARKS[state]}.", "success")
    if state == "read":
        return redirect(url_for("studio.message", message_id=item.id), 303)
    return redirect(url_for("studio.messages"), 303)
