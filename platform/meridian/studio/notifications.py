"""Who receives a location's booking notifications (owners only), on the location's page.

The location's own address (on by default), staff members of this clinic who use the
desk (owners and front desk; editors never see a client), and other addresses. The
e-mails carry the client's name and contact details, never the reason for visit
(booking/messages.py); so who gets them is the owner's choice, and each change is in
the audit log.
"""

from __future__ import annotations

import re

from flask import flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import delete
from wtforms import BooleanField, SelectMultipleField, TextAreaField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from .. import mail
from ..auth.access import role_required
from ..auth.audit import record
from ..booking.recipients import chosen_user_ids, eligible_members, recipients
from ..extensions import db
from ..models import ROLE_LABELS, Location, LocationNotifyMember
from ..tenancy import current_tenant, get_for_tenant_or_404
from . import bp

#: Other addresses per location: a few inboxes, not a mailing list.
MAX_ADDRESSES = 10
NOT_ALLOWED = (
    "Only this clinic’s owners and front desk can receive booking notifications "
    "(editors never see clients). Please choose from the list."
)


class NotifyForm(FlaskForm):
    location_address = BooleanField("The location’s own address")
    members = SelectMultipleField(
        "Staff members",
        coerce=int,
        validate_choice=False,  # checked in the view, with a message people understand
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    addresses = TextAreaField(
        "Other addresses", validators=[Length(max=MAX_ADDRESSES * 256)], render_kw={"rows": 3}
    )


def notify_form(location: Location) -> NotifyForm:
    """The form as saved: what the location's notifications are now."""
    chosen = chosen_user_ids(location)
    form = NotifyForm(
        formdata=None,
        data={
            "location_address": location.notify_location_email,
            "members": sorted(chosen),
            "addresses": "\n".join(location.notify_addresses or []),
        },
    )
    return offer(form, location)


def offer(form: NotifyForm, location: Location) -> NotifyForm:
    """Offer this clinic's active owners and front desk (and nobody else)."""
    form.members.choices = [
        (user.id, f"{user.display_name} ({user.email}), {ROLE_LABELS[membership.role]}")
        for membership, user in eligible_members(location.tenant_id)
    ]
    return form


def notify_context(location: Location | None, form: NotifyForm | None = None) -> dict:
    """What the location page needs for its "Booking notifications" section."""
    if location is None:
        return {"notify_form": None, "notify_now": []}
    return {
        "notify_form": form or notify_form(location),
        "notify_now": recipients(location),
    }


_SEPARATORS = re.compile(r"[\s,;]+")


def _addresses(form: NotifyForm) -> list[str]:
    """The other addresses typed (one per line, or separated by commas), checked and
    normalised; errors go next to the field."""
    typed = [part for part in _SEPARATORS.split(form.addresses.data or "") if part]
    found: list[str] = []
    for raw in typed:
        try:
            value = mail.address(raw)
        except mail.AddressError:
            form.addresses.errors.append(f"“{raw[:80]}” is not an e-mail address we can send to.")
            continue
        if value.lower() not in {a.lower() for a in found}:
            found.append(value)
    if len(found) > MAX_ADDRESSES:
        form.addresses.errors.append(f"At most {MAX_ADDRESSES} other addresses, please.")
    return found


@bp.post("/locations/<int:location_id>/notifications")
@role_required("owner")
def location_notifications(location_id: int):
    """Save who receives this location's booking notifications."""
    tenant = current_tenant()
    location = get_for_tenant_or_404(Location, id=location_id)
    form = offer(NotifyForm(), location)
    if form.validate():
        allowed = {value for value, _ in form.members.choices}
        chosen = set(form.members.data or [])
        if chosen - allowed:
            form.members.errors = [*form.members.errors, NOT_ALLOWED]
        addresses = _addresses(form)
        if not form.members.errors and not form.addresses.errors:
            location.notify_location_email = bool(form.location_address.data)
            location.notify_addresses = addresses
            db.session.execute(
                delete(LocationNotifyMember).where(
                    LocationNotifyMember.tenant_id == tenant.id,
                    LocationNotifyMember.location_id == location.id,
                )
            )
            db.session.add_all(
                LocationNotifyMember(tenant_id=tenant.id, location_id=location.id, user_id=uid)
                for uid in sorted(chosen)
            )
            record(
                "location.notifications",
                actor=current_user._get_current_object(),
                target=f"location:{location.id}",
                location_address=location.notify_location_email,
                members=sorted(chosen),
                addresses=addresses,
            )
            db.session.commit()
            if recipients(location):
                flash(f"Booking notifications for {location.name} saved.", "success")
            else:
                flash(
                    f"Saved: nobody is e-mailed about bookings at {location.name} now. "
                    "They still appear on the day sheet.",
                    "error",
                )
            target = url_for("studio.location_edit", location_id=location.id)
            return redirect(target + "#notifications", 303)
    from .locations import location_page

    return location_page(location, notify_form=form, status=400)
