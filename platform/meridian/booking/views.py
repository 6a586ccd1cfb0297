"""The booking flow, without JavaScript: choose → details → confirmed.

The choose step is a GET form and touches no session, so it sets no cookie. Only the
details step (a CSRF-protected form) and the cancel/reschedule pages start a session.
A "Book" button elsewhere (a service, a location, a practitioner) passes its choice in
the query string, so the visitor never picks it twice. A post's buttons add `from=<post
id>` (a static link, so the cached post page stays the same for everyone): every step
carries it on, and the booking records the post (see `came_from`), with no cookie.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..extensions import db, limiter
from ..models import Booking, Location, Post, Practitioner, Service, utcnow
from ..params import ascii_int, id_arg, instant
from ..params import day as parse_day
from ..tenancy import current_tenant, get_for_tenant_or_404, resolve_tenant, tenant_select
from . import bp, service
from .availability import team_for
from .forms import DetailsForm
from .messages import when_at
from .picker import first_weekday, pick


def _rate_limit() -> str:
    return current_app.config["BOOKING_RATE_LIMIT"]


def _limits_off() -> bool:
    return not current_app.config["RATE_LIMITS_ENABLED"]


# On the blueprint, not on each view: Flask-Limiter checks blueprint limits in its
# before_request hook, which runs before the CSRF check (a view decorator would run
# after it, so a flood of token-less POSTs would get 400 forever, never 429).
limiter.limit(_rate_limit, methods=["POST"], exempt_when=_limits_off)(bp)


def _one(model, raw: str | None, **extra):
    """The row a query value names (404 if malformed or not this clinic's), or None."""
    row_id = id_arg(raw)  # ASCII digits within bounds, else 404
    if row_id is None:
        return None
    return get_for_tenant_or_404(model, id=row_id, **extra)


def _location(raw: str | None) -> Location | None:
    """The chosen location; the only one if the clinic has one; 404 if not this clinic's."""
    tenant = current_tenant()
    if raw is None or raw == "":
        return tenant.locations[0] if len(tenant.locations) == 1 else None
    return _one(Location, raw)


def _service(raw: str | None) -> Service | None:
    return _one(Service, raw, online_bookable=True)


def _practitioner(raw: str | None) -> Practitioner | None:
    """The chosen practitioner, or None for "first available"."""
    return _one(Practitioner, raw, active=True)


def came_from(raw: str | None) -> int | None:
    """The `from` of a booking link as a post id to carry on, or None. Never an error:
    an ill-formed value is no attribution (`attributed_post` checks the post itself)."""
    return ascii_int(raw)


def attributed_post(raw: str | None) -> Post | None:
    """The published post of this clinic that `from` names, or None (unknown, another
    clinic's, a draft, or ill-formed: the booking is simply not attributed)."""
    post_id = came_from(raw)
    if post_id is None:
        return None
    return db.session.scalars(
        tenant_select(Post, Post.id == post_id, Post.published_at <= utcnow())
    ).first()


def _services() -> list[Service]:
    return list(
        db.session.scalars(
            tenant_select(Service, Service.online_bookable.is_(True)).order_by(
                Service.position, Service.id
            )
        )
    )


def parse_start(raw: str | None) -> datetime | None:
    """An offered time: an ISO instant with an offset, clear of the calendar's edges."""
    return instant(raw)


def _parse_day(raw: str | None) -> tuple[date | None, bool]:
    """(day, malformed)."""
    if not raw:
        return None, False
    value = parse_day(raw)
    return value, value is None


def week_picker(location, chosen, practitioner=None, exclude_id=None):
    """The week view for the request's `day` / `week`, and whether any time is free."""
    now = utcnow()
    today = now.astimezone(ZoneInfo(location.timezone)).date()
    avail = service.availability(
        location, chosen, now, exclude_id=exclude_id, practitioner=practitioner
    )
    asked_day, malformed = _parse_day(request.args.get("day"))
    asked_week, _ = _parse_day(request.args.get("week"))
    picker = pick(
        avail.slots,
        today,
        today + timedelta(days=chosen.horizon_days),
        asked_day,
        asked_week,
        first_weekday(current_tenant().locale),
        malformed,
    )
    return {"picker": picker, "any_free": bool(avail.slots), "team": avail.team}


def _narrow(person, location, chosen):
    """Keep only the choices that fit the chosen practitioner; say why one was dropped."""
    if person is None:
        return location, chosen, _services(), current_tenant().locations, None
    services = [s for s in _services() if s.id in person.service_ids]
    places = [loc for loc in current_tenant().locations if loc.id in person.location_ids]
    error = None
    if chosen is not None and chosen.id not in person.service_ids:
        error = f"{person.name} does not offer {chosen.name} online. Please choose a service."
        chosen = None
    if location is not None and location.id not in person.location_ids:
        error = f"{person.name} does not work at {location.name}. Please choose a location."
        location = None
    if location is None and len(places) == 1:
        location = places[0]
    return location, chosen, services, places, error


@bp.get("")
def start():
    """Location, service (and practitioner), then a day of a week and a time. A GET
    form and links only: no cookie."""
    args = request.args
    person = _practitioner(args.get("practitioner"))
    source = came_from(args.get("from"))
    location, chosen, services, places, error = _narrow(
        person, _location(args.get("location")), _service(args.get("service"))
    )
    context = {
        "practitioner": person,
        "location": location,
        "service": chosen,
        "services": services,
        "locations": places,
        "choose_error": error,
        "step": "choose",
        "came_from": source,
    }
    if location is not None and chosen is not None:
        context |= week_picker(location, chosen, person)
        context["team"] = team_for(location, chosen)  # everyone, to switch between
        context["step"] = "times"
        context["who"] = person.name if person else "First available"
        context["params"] = {
            "location": location.id,
            "service": chosen.id,
            "practitioner": person.id if person else None,
            "from": source,
        }
        if person is not None and person not in context["team"]:
            context["choose_error"] = f"{person.name} does not offer this here online."
    return render_template("booking/start.html", **context)


def _details_context(form, location, chosen, person, alternatives=(), notice=None):
    start_at = parse_start(form.start.data)
    tenant = current_tenant()
    return {
        "form": form,
        "location": location,
        "service": chosen,
        "practitioner": person,
        "who": person.name if person else "First available",
        "start_at": start_at,
        "when": when_at(start_at, location, tenant.locale) if start_at else "",
        "alternatives": alternatives,
        "notice": notice,
        "came_from": came_from(form.from_post.data),
    }


def _details_choice(source):
    location = _location(source.get("location"))
    chosen = _service(source.get("service"))
    person = _practitioner(source.get("practitioner"))
    return location, chosen, person


@bp.route("/details", methods=["GET", "POST"])
def details():
    """The visitor's details. A time that has gone is said before they type anything;
    errors come back next to the field, everything typed kept."""
    tenant = current_tenant()
    source = request.form if request.method == "POST" else request.args
    location, chosen, person = _details_choice(source)
    post_id = came_from(source.get("from"))
    if location is None or chosen is None:
        return redirect(url_for("booking.start", **{"from": post_id}))
    if request.method == "GET":
        form = DetailsForm(
            formdata=None,
            data={
                "location": location.id,
                "service": chosen.id,
                "practitioner": person.id if person else "",
                "start": source.get("start", ""),
                "from_post": str(post_id) if post_id else "",
            },
        )
        start_at = parse_start(form.start.data)
        if start_at is None:
            return redirect(
                url_for(
                    "booking.start", location=location.id, service=chosen.id, **{"from": post_id}
                )
            )
        gone = service.check_start(location, chosen, start_at, person)
        alternatives = gone.alternatives if gone else []
        if gone:
            form.start.errors = [gone.message]
        context = _details_context(form, location, chosen, person, alternatives)
        return render_template("booking/details.html", gone=bool(gone), **context)
    form = DetailsForm()
    form.country = location.country
    status = 200
    alternatives: list[datetime] = []
    if form.validate():
        start_at = parse_start(form.start.data)
        try:
            if start_at is None:
                raise service.BookingError("Please choose a time from the list.")
            booking = service.place_booking(
                tenant,
                location,
                chosen,
                start_at,
                name=form.name.data.strip(),
                email=form.email.data,
                phone=form.phone.data,
                reason=(form.reason.data or "").strip(),
                practitioner=person,
                from_post=attributed_post(form.from_post.data),
            )
        except service.BookingError as exc:
            target = getattr(form, exc.field, form.start)
            target.errors = [*target.errors, exc.message]
            alternatives = exc.alternatives
            status = 409 if isinstance(exc, service.SlotTaken) else 422
        else:
            session["booked"] = [*session.get("booked", [])[-4:], booking.reference]
            return redirect(url_for("booking.confirmed", reference=booking.reference), 303)
    else:
        status = 422
    context = _details_context(form, location, chosen, person, alternatives)
    return render_template("booking/details.html", **context), status


@bp.errorhandler(CSRFError)
def session_expired(error: CSRFError):
    """A lost session or an expired token on the details form: the clinic's page again,
    everything typed kept (with a fresh token), and a request to confirm again."""
    if "host" not in g:  # the CSRF check runs before the tenant is resolved
        try:
            resolve_tenant()
        except HTTPException as exc:  # unknown host or suspended clinic
            return exc
    if g.get("tenant") is None:  # no booking on the platform's own host
        return render_template("errors/404.html", code=404), 404
    if request.endpoint != "booking.details" or request.method != "POST":
        return render_template("errors/generic.html", code=400, error=error), 400
    location, chosen, person = _details_choice(request.form)
    if location is None or chosen is None:
        return redirect(url_for("booking.start", **{"from": came_from(request.form.get("from"))}))
    form = DetailsForm()  # request.form, unvalidated: what the visitor typed
    notice = (
        "For your security, this page expired before it was sent. Everything you typed "
        "is still here: please check it and confirm again."
    )
    context = _details_context(form, location, chosen, person, notice=notice)
    return render_template("booking/details.html", **context), 400


@bp.get("/confirmed/<reference:reference>")
def confirmed(reference: str):
    """Shown once to the browser that booked (its session holds the reference)."""
    if reference not in session.get("booked", []):
        abort(404)
    booking = booking_or_404(reference=reference)
    return render_template("booking/confirmed.html", booking=booking, **booking_text(booking))


def booking_or_404(**by) -> Booking:
    booking = get_for_tenant_or_404(Booking, **by)
    _ = booking.location, booking.service, booking.practitioner
    return booking


def booking_text(booking: Booking) -> dict:
    tenant = current_tenant()
    return {"when": when_at(booking.starts_at, booking.location, tenant.locale)}


from . import links  # noqa: E402, F401  (cancel and reschedule routes)
