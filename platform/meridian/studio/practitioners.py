"""Practitioners (owners): who they are, what they offer, their weekly hours at each
location, their time off; retire one (their bookings stay). Saved through
`content.team`; the booking pages compute free times from the database on every
request, so a change is bookable (or not) at once.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.access import role_required
from ..content import team
from ..content.errors import ContentInvalid
from ..content.fields import slugify
from ..content.places import closure_days, format_day_hours, parse_day_hours
from ..extensions import db
from ..models import WEEKDAYS, Location, MediaItem, Practitioner, Service, TimeOff, utcnow
from ..tenancy import current_tenant, get_for_tenant_or_404, tenant_select
from . import bp, nav
from .team_forms import (
    TimeOffForm,
    TimeOffRemoveForm,
    hours_field_name,
    practitioner_form_class,
)

nav.add("Practitioners", "studio.practitioners", order=65)
DETAILS = ("name", "title", "bio")


def _locations() -> list[Location]:
    return list(
        db.session.scalars(tenant_select(Location).order_by(Location.position, Location.id))
    )


@bp.get("/practitioners")
@role_required("owner")
def practitioners():
    people = db.session.scalars(
        tenant_select(Practitioner).order_by(Practitioner.active.desc(), Practitioner.position)
    ).all()
    places = {location.id: location for location in _locations()}
    return render_template("studio/practitioners.html", people=people, places=places)


def _photo_choices(person: Practitioner | None) -> list[tuple[str, str]]:
    """No photo, the bundle's own file (kept as it is), or any photo of the media
    library (shown with its responsive copies and its description as alt text)."""
    choices = [("", "No photo")]
    if person is not None and person.photo:
        choices.append((f"file:{person.photo}", f"The bundle's picture ({person.photo})"))
    for item in db.session.scalars(tenant_select(MediaItem).order_by(MediaItem.id.desc())):
        if item.variants:  # a row with no copies has nothing to show
            choices.append((f"media:{item.id}", item.alt or item.filename or f"Photo {item.id}"))
    return choices


def _photo_value(person: Practitioner) -> str:
    if person.photo_media_id is not None:
        return f"media:{person.photo_media_id}"
    return f"file:{person.photo}" if person.photo else ""


def _photo_fields(choice: str) -> dict:
    """The form's choice (checked against the choices) -> `photo`, `photo_media_id`."""
    kind, _, value = (choice or "").partition(":")
    if kind == "media" and value.isascii() and value.isdigit():
        return {"photo_media_id": int(value)}
    if kind == "file":
        return {"photo": value, "photo_media_id": None}
    return {"photo": None, "photo_media_id": None}


def _form(person: Practitioner | None, locations: list[Location]):
    form_class = practitioner_form_class(locations)
    services = list(
        db.session.scalars(tenant_select(Service).order_by(Service.position, Service.id))
    )
    if request.method == "POST":
        form = form_class()
    elif person is None:  # a new practitioner offers every service until told otherwise
        form = form_class(data={"active": True, "services": [s.id for s in services]})
    else:
        data = {key: getattr(person, key) or "" for key in DETAILS}
        data |= {
            "slug": person.slug,
            "photo": _photo_value(person),
            "languages": ", ".join(person.languages or []),
            "services": sorted(person.service_ids),
            "active": person.active,
        }
        for location in locations:
            for index, day in enumerate(WEEKDAYS):
                ranges = [
                    (h.opens, h.closes)
                    for h in person.hours
                    if h.location_id == location.id and h.weekday == index
                ]
                data[hours_field_name(location.id, day)] = format_day_hours(ranges)
        form = form_class(data=data)
    form.services.choices = [(s.id, s.name) for s in services]
    form.photo.choices = _photo_choices(person)
    return form


def _read(form, locations: list[Location]) -> tuple[dict, set[int], team.TeamHours, dict]:
    """(details, service ids, weekly hours, errors by field) from a posted form."""
    errors: dict[str, str] = {}
    values = {key: (form[key].data or "").strip() for key in DETAILS}
    values["bio"] = (form.bio.data or "").replace("\r\n", "\n").strip()
    values |= _photo_fields(form.photo.data)
    values["languages"] = [
        " ".join(part.split()) for part in (form.languages.data or "").split(",") if part.strip()
    ]
    values["active"] = bool(form.active.data)
    hours: team.TeamHours = set()
    for location in locations:
        for index, day in enumerate(WEEKDAYS):
            name = hours_field_name(location.id, day)
            try:
                ranges = parse_day_hours(form[name].data or "")
            except ValueError as exc:
                errors[name] = str(exc)
            else:
                hours |= {(location.id, index, opens, closes) for opens, closes in ranges}
    return values, set(form.services.data or []), hours, errors


@bp.route("/practitioners/new", methods=["GET", "POST"], endpoint="practitioner_new")
@bp.route("/practitioners/<int:practitioner_id>", methods=["GET", "POST"])
@role_required("owner")
def practitioner_edit(practitioner_id: int | None = None):
    tenant = current_tenant()
    person = get_for_tenant_or_404(Practitioner, id=practitioner_id) if practitioner_id else None
    locations = _locations()
    form = _form(person, locations)
    if request.method == "POST":
        valid = form.validate()  # every rule is checked at once, so all errors show together
        values, service_ids, hours, errors = _read(form, locations)
        slug = (form.slug.data or "").strip() or slugify(values["name"], 63)
        # The write path's own rules too, so every mistake is named in one round.
        errors = team.check_practitioner(tenant, person, slug, values) | errors
        errors = team.check_team_hours(hours) | errors
        if valid and not errors:
            was_active = person.active if person is not None else True
            try:
                saved, _ = team.save_practitioner(
                    tenant, person, slug, values, actor=current_user.email
                )
                team.set_services(tenant, saved, service_ids, actor=current_user.email)
                team.set_hours(tenant, saved, hours, actor=current_user.email)
            except ContentInvalid as exc:
                errors = exc.errors
            else:
                db.session.commit()
                flash(_saved_message(tenant, saved, was_active), "success")
                return redirect(url_for("studio.practitioner_edit", practitioner_id=saved.id), 303)
        db.session.rollback()
        for name, message in errors.items():
            target = name if name in form else _first_hours_field(name, locations)
            form[target].errors = [*form[target].errors, message]
    return _page(person, form, TimeOffForm(), locations), (400 if form.errors else 200)


def _first_hours_field(name: str, locations: list[Location]) -> str:
    """`hours_<location id>` (a whole week refused) -> that location's Monday field."""
    location_id = name.removeprefix("hours_")
    for location in locations:
        if str(location.id) == location_id:
            return hours_field_name(location.id, WEEKDAYS[0])
    return "name"


def _saved_message(tenant, person: Practitioner, was_active: bool) -> str:
    if was_active and not person.active:
        left = team.bookings_during(tenant, person)
        if left:
            return (
                f"{person.name} is retired: no new bookings, and no longer on the site. "
                f"{left} upcoming booking{'s stay' if left != 1 else ' stays'} with them: "
                "move or cancel on the bookings desk."
            )
        return f"{person.name} is retired: no new bookings, and no longer on the site."
    return f"{person.name} saved."


def _zone(person: Practitioner | None, locations: list[Location]) -> Location | None:
    """Time off is entered in the time of the first place they work (as in bundles)."""
    first = min(person.location_ids, default=None) if person is not None else None
    return next((loc for loc in locations if loc.id == first), locations[0] if locations else None)


def _time_off(person: Practitioner) -> list[TimeOff]:
    return list(
        db.session.scalars(
            tenant_select(TimeOff)
            .where(TimeOff.practitioner_id == person.id, TimeOff.ends_at > utcnow())
            .order_by(TimeOff.starts_at)
        )
    )


def _page(person, form, time_off_form, locations):
    place = _zone(person, locations)
    return render_template(
        "studio/practitioner.html",
        person=person,
        form=form,
        locations=locations,
        hours_field_name=hours_field_name,
        weekdays=WEEKDAYS,
        time_off=_time_off(person) if person is not None else [],
        time_off_form=time_off_form,
        remove_form=TimeOffRemoveForm(),
        place=place,
    )


def _instants(form: TimeOffForm, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Local days (and optional times) -> [start, end) in UTC; ValueError with a sentence."""
    days = closure_days(form.first.data, form.last.data)
    starts = datetime.combine(days[0], form.starts.data or time(0), zone)
    if form.ends.data is not None:
        ends = datetime.combine(days[-1], form.ends.data, zone)
    else:
        ends = datetime.combine(days[-1] + timedelta(days=1), time(0), zone)
    return starts.astimezone(UTC), ends.astimezone(UTC)


@bp.post("/practitioners/<int:practitioner_id>/time-off")
@role_required("owner")
def time_off_add(practitioner_id: int):
    tenant = current_tenant()
    person = get_for_tenant_or_404(Practitioner, id=practitioner_id)
    locations = _locations()
    form = TimeOffForm()
    place = _zone(person, locations)
    if form.validate() and place is not None:
        try:
            starts, ends = _instants(form, ZoneInfo(place.timezone))
            note = " ".join((form.note.data or "").split())
            team.add_time_off(tenant, person, starts, ends, note, actor=current_user.email)
        except ValueError as exc:  # ContentInvalid is a ValueError too
            messages = getattr(exc, "errors", {"last": str(exc)})
            for name, message in messages.items():
                form[name if name in form else "last"].errors = [message]
            db.session.rollback()
        else:
            clashes = team.bookings_during(tenant, person, starts, ends)
            db.session.commit()
            message = "Time off added: no bookings are offered with them then."
            if clashes:
                message += (
                    f" {clashes} booking{'s' if clashes != 1 else ''} already made in that "
                    "time stay: move or cancel on the bookings desk."
                )
            flash(message, "success")
            target = url_for("studio.practitioner_edit", practitioner_id=person.id)
            return redirect(target + "#time-off", 303)
    return _page(person, _form(person, locations), form, locations), 400


@bp.post("/practitioners/<int:practitioner_id>/time-off/<int:time_off_id>/remove")
@role_required("owner")
def time_off_remove(practitioner_id: int, time_off_id: int):
    tenant = current_tenant()
    person = get_for_tenant_or_404(Practitioner, id=practitioner_id)
    row = get_for_tenant_or_404(TimeOff, id=time_off_id, practitioner_id=person.id)
    if TimeOffRemoveForm().validate():
        team.remove_time_off(tenant, person, row, actor=current_user.email)
        db.session.commit()
        flash("Time off removed: those times can be booked again.", "success")
    else:
        flash("Nothing was removed: the page had expired. Please try again.", "error")
    return redirect(
        url_for("studio.practitioner_edit", practitioner_id=person.id) + "#time-off", 303
    )
