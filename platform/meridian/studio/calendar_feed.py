"""The member's private calendar feed (owners and front desk): turn it on or get a new
address (the old one stops working at once), or turn it off. The address is shown once,
on the page answering the POST; it is never flashed (the session cookie is only signed)
nor written to the audit log."""

from __future__ import annotations

from flask import g, render_template
from flask_login import current_user

from ..auth.access import role_required
from ..auth.audit import record
from ..auth.forms import EmptyForm
from ..desk import feed
from ..extensions import db
from ..models import Membership
from ..tenancy import current_tenant, get_for_tenant_or_404
from ..urls import tenant_url
from . import bp
from .bookings import DESK


def _mine() -> Membership:
    return get_for_tenant_or_404(Membership, id=g.membership.id)


@bp.get("/calendar-feed")
@role_required(*DESK)
def calendar_feed():
    return render_template(
        "studio/calendar_feed.html", member=_mine(), form=EmptyForm(), address=None
    )


@bp.post("/calendar-feed")
@role_required(*DESK)
def calendar_feed_new():
    member = _mine()
    form = EmptyForm()
    address = None
    if form.validate_on_submit():
        token = feed.new_token(member)
        record(
            "calendar_feed.new",
            actor=current_user._get_current_object(),
            target=f"membership:{member.id}",
        )
        db.session.commit()
        address = tenant_url(current_tenant(), "feed.calendar", token=token)
    return render_template("studio/calendar_feed.html", member=member, form=form, address=address)


@bp.post("/calendar-feed/off")
@role_required(*DESK)
def calendar_feed_off():
    member = _mine()
    form = EmptyForm()
    if form.validate_on_submit() and member.feed_token_hash:
        feed.revoke(member)
        record(
            "calendar_feed.off",
            actor=current_user._get_current_object(),
            target=f"membership:{member.id}",
        )
        db.session.commit()
    return render_template("studio/calendar_feed.html", member=member, form=form, address=None)
