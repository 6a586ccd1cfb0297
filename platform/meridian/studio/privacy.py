"""The clinic's privacy notice and settings, for owners.

* Retention periods: the purge (meridian.privacy.retention) enforces them and the
  notice states them; saving new ones publishes a new version of the notice.
* The owner's own words: kept as a draft, previewed, then published as a new version.
* Every published version, with its date and who published it, exactly as it read.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from ..auth import audit
from ..auth.access import role_required
from ..extensions import db
from ..models import RETENTION_FIELDS, PrivacyNotice, User
from ..privacy import notice as notices
from ..privacy import settings as privacy_settings
from ..privacy import versions
from ..tenancy import current_tenant, get_for_tenant_or_404
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
OWNER_TEXT_MAX = 5000


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


class OwnerTextForm(FlaskForm):
    text = TextAreaField(
        "Your own words (optional)",
        validators=[
            Length(
                max=OWNER_TEXT_MAX,
                message=f"Please keep this under {OWNER_TEXT_MAX:,} characters.",
            )
        ],
    )


def _me() -> User | None:
    return db.session.get(User, current_user.id)


def _page(retention: RetentionForm, words: OwnerTextForm, status: int = 200):
    tenant = current_tenant()
    return render_template(
        "studio/privacy.html",
        form=retention,
        words=words,
        hints={name: hint for name, (_, hint) in LABELS.items()},
        draft=versions.draft(tenant),
        versions=versions.published(tenant),
    ), status


@bp.route("/privacy", methods=["GET", "POST"])
@role_required("owner")
def privacy():
    """Retention periods; saving them changes what the purge does and the notice says."""
    tenant = current_tenant()
    current = privacy_settings.settings_for(tenant)
    form = RetentionForm(obj=current)
    draft = versions.draft(tenant)
    in_force = versions.latest(tenant)
    words = OwnerTextForm(
        formdata=None,
        text=(draft or in_force).owner_text if (draft or in_force) else "",
    )
    if not form.validate_on_submit():
        return _page(form, words, 422 if form.errors else 200)
    periods = {name: form[name].data for name, *_ in RETENTION_FIELDS}
    _, changed = privacy_settings.save(tenant, **periods)
    if not changed:
        flash("Nothing changed.")
        return redirect(url_for("studio.privacy"))
    me = _me()
    version = versions.publish(tenant, reason="retention", by=me.email if me else "")
    audit.record(
        "privacy.retention",
        actor=me,
        target=tenant.slug,
        changes={name: list(pair) for name, pair in changed.items()},
        version=version.number,
    )
    db.session.commit()
    flash(f"Saved. The privacy notice shows the new periods now (version {version.number}).")
    return redirect(url_for("studio.privacy"))


@bp.post("/privacy/words")
@role_required("owner")
def privacy_words():
    """Save the owner's words as a draft, or publish them as a new version."""
    tenant = current_tenant()
    words = OwnerTextForm()
    if not words.validate_on_submit():
        current = privacy_settings.settings_for(tenant)
        return _page(RetentionForm(formdata=None, obj=current), words, 422)
    versions.save_draft(tenant, words.text.data or "")
    if request.form.get("action") != "publish":
        db.session.commit()
        flash("Draft saved. Visitors still read the version in force.")
        return redirect(url_for("studio.privacy") + "#words")
    me = _me()
    version = versions.publish(
        tenant, reason="published", by=me.email if me else "", from_draft=True
    )
    audit.record("privacy.publish", actor=me, target=tenant.slug, version=version.number)
    db.session.commit()
    flash(f"Published: visitors now read version {version.number}.")
    return redirect(url_for("studio.privacy"))


@bp.get("/privacy/preview")
@role_required("owner")
def privacy_preview():
    """The notice as it would read with the draft published (nothing is saved)."""
    tenant = current_tenant()
    draft = versions.draft(tenant)
    if draft is None:
        return redirect(url_for("studio.privacy"))
    preview = notices.build(tenant, version=draft)
    return render_template("studio/privacy_version.html", notice=preview, heading="Preview")


@bp.get("/privacy/versions/<int:number>")
@role_required("owner")
def privacy_version(number: int):
    """A published version exactly as visitors read it."""
    if not 1 <= number <= 1_000_000:
        abort(404)
    version = get_for_tenant_or_404(PrivacyNotice, number=number)
    return render_template(
        "studio/privacy_version.html", version=version, heading=f"Version {version.number}"
    )
