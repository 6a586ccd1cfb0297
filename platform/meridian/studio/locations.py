"""Locations (owners): address, phone, e-mail, time zone, holiday region, weekly hours,
closures. Saved through `content.clinic` in one transaction; the booking page reads
hours and closures from the database on every request, so free times follow at once.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.access import role_required
from ..content import clinic as clinic_content
from ..content.errors import ContentInvalid
from ..content.fields import slugify
from ..content.places import (
    clean_email,
    clean_phone,
    clean_subdivision,
    clean_zone,
    closure_days,
    format_day_hours,
    group_closures,
    parse_day_hours,
    subdivisions_for,
    zones_for,
)
from ..extensions import db
from ..models import WEEKDAYS, Closure, Location
from ..tenancy import current_tenant, get_for_tenant_or_404, tenant_select
from . import bp, nav
from .clinic_forms import (
    HOURS_FIELDS,
    ClosureForm,
    ClosureRemoveForm,
    LocationForm,
    country_choices,
)
from .notifications import notify_context

nav.add("Locations", "studio.locations", order=60)
DETAIL_FIELDS = ("name", "street", "locality", "city", "region", "postcode", "directions")


@bp.get("/locations")
@role_required("owner")
def locations():
    rows = db.session.scalars(tenant_select(Location).order_by(Location.position, Location.id))
    return render_template("studio/locations.html", locations=rows.all())


def _choices(form: LocationForm, country: str) -> None:
    tenant = current_tenant()
    form.country.choices = country_choices(tenant.locale)
    zones = zones_for(country) or ()
    form.timezone.choices = [(z, z.replace("_", " ")) for z in zones]
    form.holiday_subdivision.choices = [("", "The whole country")] + [
        (code, name) for code, name in subdivisions_for(country)
    ]


def _filled(location: Location | None) -> LocationForm:
    tenant = current_tenant()
    if location is None:
        return LocationForm(data={"country": tenant.country})
    data = {key: getattr(location, key) or "" for key in DETAIL_FIELDS}
    data |= {
        "slug": location.slug,
        "country": location.country,
        "phone": location.phone,
        "email": location.email,
        "timezone": location.timezone,
        "holiday_subdivision": location.holiday_subdivision,
    }
    for index, day in enumerate(WEEKDAYS):
        ranges = [(h.opens, h.closes) for h in location.hours if h.weekday == index]
        data[f"hours_{day}"] = format_day_hours(ranges)
    return LocationForm(data=data)


def _read(form: LocationForm) -> tuple[dict, set, dict[str, str]]:
    """(values, weekly hours, errors by field) from a posted form."""
    errors: dict[str, str] = {}
    country = form.country.data or ""
    values = {key: (form[key].data or "").strip() for key in DETAIL_FIELDS}
    values["country"] = country
    for key, clean in (
        ("phone", lambda v: clean_phone(v, country)),
        ("email", clean_email),
        ("timezone", lambda v: clean_zone(v, country)),
        ("holiday_subdivision", lambda v: clean_subdivision(v, country)),
    ):
        try:
            values[key] = clean(form[key].data or "")
        except ValueError as exc:
            errors[key] = str(exc)
    hours: set = set()
    for index, name in enumerate(HOURS_FIELDS):
        try:
            hours |= {(index, o, c) for o, c in parse_day_hours(form[name].data or "")}
        except ValueError as exc:
            errors[name] = str(exc)
    return values, hours, errors


@bp.route("/locations/new", methods=["GET", "POST"], endpoint="location_new")
@bp.route("/locations/<int:location_id>", methods=["GET", "POST"])
@role_required("owner")
def location_edit(location_id: int | None = None):
    tenant = current_tenant()
    location = get_for_tenant_or_404(Location, id=location_id) if location_id else None
    posted = request.method == "POST"
    form = LocationForm() if posted else _filled(location)
    _choices(form, (form.country.data or tenant.country) if posted else form.country.data)
    if posted and form.validate():
        values, hours, errors = _read(form)
        slug = (form.slug.data or "").strip() or slugify(values["name"], 63)
        if not errors:
            try:
                saved, _ = clinic_content.save_location(
                    tenant, location, slug, values, actor=current_user.email
                )
                clinic_content.set_hours(tenant, saved, hours, actor=current_user.email)
            except ContentInvalid as exc:
                errors = exc.errors
            else:
                db.session.commit()
                flash(f"{saved.name} saved.", "success")
                return redirect(url_for("studio.location_edit", location_id=saved.id), 303)
        db.session.rollback()
        for name, message in errors.items():
            target = name if name in form else HOURS_FIELDS[0] if name == "hours" else "name"
            form[target].errors = [*form[target].errors, message]
    return location_page(location, form=form, status=400 if form.errors else 200)


def location_page(
    location: Location | None,
    *,
    form: LocationForm | None = None,
    closure_form: ClosureForm | None = None,
    notify_form=None,
    status: int = 200,
):
    """The location's page with each form as given (a refused one keeps what was
    typed and its errors), the others as saved."""
    if form is None:
        form = _filled(location)
        _choices(form, form.country.data)
    return render_template(
        "studio/location.html",
        form=form,
        location=location,
        hours_fields=HOURS_FIELDS,
        closures=_closures(location) if location is not None else [],
        closure_form=closure_form or ClosureForm(),
        **notify_context(location, notify_form),
    ), status


def _closures(location: Location) -> list[dict]:
    rows = db.session.scalars(
        tenant_select(Closure).where(Closure.location_id == location.id).order_by(Closure.day)
    ).all()
    return group_closures(rows)


def _wanted(location: Location) -> dict:
    rows = db.session.scalars(tenant_select(Closure).where(Closure.location_id == location.id))
    return {row.day: (row.reason, row.is_open) for row in rows}


@bp.post("/locations/<int:location_id>/closures")
@role_required("owner")
def closure_add(location_id: int):
    tenant = current_tenant()
    location = get_for_tenant_or_404(Location, id=location_id)
    form = ClosureForm()
    if form.validate():
        try:
            days = closure_days(form.first.data, form.last.data)
        except ValueError as exc:
            form.last.errors = [str(exc)]
        else:
            wanted = _wanted(location)
            reason = " ".join((form.reason.data or "").split())
            wanted |= {day: (reason, bool(form.is_open.data)) for day in days}
            clinic_content.set_closures(tenant, location, wanted, actor=current_user.email)
            db.session.commit()
            flash(f"Closure added ({len(days)} day{'s' if len(days) > 1 else ''}).", "success")
            return redirect(
                url_for("studio.location_edit", location_id=location.id, _anchor="closures"), 303
            )
    return location_page(location, closure_form=form, status=400)


@bp.post("/locations/<int:location_id>/closures/remove")
@role_required("owner")
def closure_remove(location_id: int):
    """Remove one run of closed days (first..last), named by the form's hidden fields."""
    tenant = current_tenant()
    location = get_for_tenant_or_404(Location, id=location_id)
    form = ClosureRemoveForm()
    if form.validate():
        last = form.last.data or form.first.data
        wanted = {d: v for d, v in _wanted(location).items() if not form.first.data <= d <= last}
        clinic_content.set_closures(tenant, location, wanted, actor=current_user.email)
        db.session.commit()
        flash("Closure removed.", "success")
    else:
        flash("Nothing was removed: the page had expired. Please try again.", "error")
    target = url_for("studio.location_edit", location_id=location.id, _anchor="closures")
    return redirect(target, 303)
