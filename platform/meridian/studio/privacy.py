"""The clinic's privacy settings, for owners: how long visitors' data is kept.

The purge (meridian.privacy.retention) enforces the periods; the public notice
(/privacy) states them, and shows a change at the next request (the settings row
bumps the content version).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from ..auth import audit
from ..auth.access import role_required
from ..extensions import db
from ..models import RETENTION_FIELDS, User
from ..privacy import settings as privacy_settings
from ..tenancy import current_tenant
from . import bp, nav

nav.add("Privacy", "studio.privacy", order=80)

LABELS = {
    "reason_days": ("Erase the reason for visit after (days)", "Counted from the appointment."),
    "booking_months": (
        "Delete bookings after (months)",
        "Name, e-mail, phone, time and service; counted from the appointment.",
    ),
    "contact_months": ("Delete contact-form messages after (months)", "Counted from arrival."),
}


def _field(name: str, low: int, high: int) -> IntegerField:
    label, _ = LABELS[name]
    return IntegerField(
        label,
        validators=[
            InputRequired(message="Please enter a whole number."),
            NumberRange(min=low, max=high, message=f"Please choose between {low} and {high}."),
        ],
    )


class RetentionForm(FlaskForm):
    pass


for _name, _default, _low, _high in RETENTION_FIELDS:
    setattr(RetentionForm, _name, _field(_name, _low, _high))


@bp.route("/privacy", methods=["GET", "POST"])
@role_required("owner")
def privacy():
    """Retention periods; saving them changes what the purge does and the notice says."""
    tenant = current_tenant()
    current = privacy_settings.settings_for(tenant)
    form = RetentionForm(obj=current)
    if form.validate_on_submit():
        periods = {name: form[name].data for name, *_ in RETENTION_FIELDS}
        _, changed = privacy_settings.save(tenant, **periods)
        if changed:
            audit.record(
                "privacy.retention",
                actor=db.session.get(User, current_user.id),
                target=tenant.slug,
                changes={name: list(pair) for name, pair in changed.items()},
            )
            db.session.commit()
            flash("Saved. The privacy notice shows the new periods now.")
        else:
            flash("Nothing changed.")
        return redirect(url_for("studio.privacy"))
    return render_template(
        "studio/privacy.html",
        form=form,
        hints={name: hint for name, (_, hint) in LABELS.items()},
    ), (422 if form.errors else 200)
