"""Clinic settings (owners): name, words, logo, brand colours, social links, disclaimer.

One form, one save through `content.settings.save_settings` (which audits before and
after). A refused save shows every message next to its field with what was typed kept,
and changes nothing.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..auth.access import role_required
from ..content.brand import check_brand
from ..content.errors import ContentInvalid
from ..content.settings import save_settings
from ..content.social import NETWORKS, check_social
from ..extensions import db
from ..models import MediaItem
from ..tenancy import current_tenant, tenant_select
from ..themes import DEFAULT_THEME, THEMES
from . import bp, nav
from .clinic_forms import SOCIAL_FIELDS, SettingsForm, first_visit_steps

nav.add("Settings", "studio.settings", order=80)
TEXT_FIELDS = ("name", "tagline", "about_md", "disclaimer")


def _logo_choices(tenant) -> list[tuple[str, str]]:
    """Keep the current logo, or any photo of the media library (a logo is a copy of it)."""
    choices = [("", "No logo (the clinic's name is shown)")]
    if tenant.logo and not tenant.logo.startswith("media/"):
        choices.append((tenant.logo, f"The current logo ({tenant.logo})"))
    items = db.session.scalars(tenant_select(MediaItem).order_by(MediaItem.id.desc())).all()
    for item in items:
        if not item.names:
            continue  # a row without stored copies cannot be a logo
        name = next((n for w, _, n in item.variants if w >= 400), item.names[-1])
        choices.append((f"media/{name}", item.filename or f"Photo {item.id}"))
    return choices


def _hero_choices() -> list[SelectChoice]:
    """No photo (the theme's own design), or any photo of the clinic's media library."""
    items = db.session.scalars(tenant_select(MediaItem).order_by(MediaItem.id.desc())).all()
    return [SelectChoice("", "No photo (the design's own pattern)")] + [
        SelectChoice(str(item.id), item.alt or item.filename or f"Photo {item.id}")
        for item in items
        if item.variants
    ]


def _form(tenant) -> SettingsForm:
    form = SettingsForm(
        data={key: getattr(tenant, key) or "" for key in (*TEXT_FIELDS, "logo", "trust_line")}
        | {"brand_primary": tenant.brand_primary, "brand_accent": tenant.brand_accent}
        | {"theme": tenant.theme if tenant.theme in THEMES else DEFAULT_THEME}
        | {"hero": str(tenant.hero_media_id or "")}
        | {"first_visit": "\n".join(tenant.first_visit or [])}
        | {f"social_{k}": v for k, v in (tenant.social or {}).items()},
    )
    return form


@bp.route("/settings", methods=["GET", "POST"])
@role_required("owner")
def settings():
    tenant = current_tenant()
    form = SettingsForm() if _posted() else _form(tenant)
    form.logo.choices = _logo_choices(tenant)
    form.hero.choices = _hero_choices()
    if _posted():
        valid = form.validate()  # every message at once: form rules and content rules
        errors = check_brand(
            {"brand_primary": form.brand_primary.data, "brand_accent": form.brand_accent.data}
        )
        raw_social = {n.key: form[f"social_{n.key}"].data or "" for n in NETWORKS}
        social, social_errors = check_social(raw_social)
        errors |= social_errors
        if valid and not errors:
            values = {key: (form[key].data or "").strip() for key in TEXT_FIELDS}
            values |= {
                "brand_primary": form.brand_primary.data.strip().lower(),
                "brand_accent": form.brand_accent.data.strip().lower(),
                "logo": form.logo.data or None,
                "social": social,
                "theme": form.theme.data,
                "hero_media_id": int(form.hero.data) if form.hero.data else None,
                "trust_line": " ".join((form.trust_line.data or "").split()),
                "first_visit": first_visit_steps(form.first_visit.data),
            }
            try:
                changes = save_settings(tenant, values, actor=current_user.email)
            except ContentInvalid as exc:
                db.session.rollback()
                errors = exc.errors
            else:
                db.session.commit()
                flash("Settings saved." if changes else "Nothing to save: no changes.", "success")
                return redirect(url_for("studio.settings"), 303)
        for name, message in errors.items():
            if name in form and message not in form[name].errors:
                form[name].errors = [*form[name].errors, message]
    status = 400 if form.errors else 200
    return render_template(
        "studio/settings.html", form=form, social_fields=SOCIAL_FIELDS, networks=NETWORKS
    ), status


def _posted() -> bool:
    from flask import request

    return request.method == "POST"
