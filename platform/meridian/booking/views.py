"""The booking flow, without JavaScript: choose → details → confirmed.

The choose step is a GET form and touches no session, so it sets no cookie. Only the
details step (a CSRF-protected form) and the cancel/reschedule pages start a session.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, current_app, redirect, render_template, request, session, url_for

from ..extensions import db, limiter
from ..models import Booking, Location, Service, utcnow
from ..tenancy import current_tenant, get_for_tenant_or_404, tenant_select
from . import bp, service
from .forms import ConfirmForm, DetailsForm, RescheduleForm
from .messages import when_text
from .tokens import LinkError, read_token


def _rate_limit() -> str:
    return current_app.config["BOOKING_RATE_LIMIT"]


def _limits_off() -> bool:
    return not current_app.config["RATE_LIMITS_ENABLED"]


def _id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None


def _location(raw: str | None) -> Location | None:
    """The chosen location; the only one if the clinic has one; 404 if not this clinic's."""
    tenant = current_tenant()
    if raw is None or raw == "":
        return tenant.locations[0] if len(tenant.locations) == 1 else None
    location_id = _id(raw)
    if location_id is None:
        abort(404)
    return get_for_tenant_or_404(Location, id=location_id)


def _service(raw: str | None) -> Service | None:
    if raw is None or raw == "":
        return None
    service_id = _id(raw)
    if service_id is None:
        abort(404)
    chosen = get_for_tenant_or_404(Service, id=service_id)
    if not chosen.online_bookable:
        abort(404)
    return chosen


def _services() -> list[Service]:
    return list(
        db.session.scalars(
            tenant_select(Service, Service.online_bookable.is_(True)).order_by(
                Service.position, Service.id
            )
        )
    )


def _parse_start(raw: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(raw or "")
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else None


def _picker(location: Location, chosen: Service, raw_day: str | None, exclude_id=None):
    """Days with free times and the times of the chosen day, or an error message."""
    now = utcnow()
    zone = ZoneInfo(location.timezone)
    today = now.astimezone(zone).date()
    avail = service.availability(location, chosen, now, exclude_id=exclude_id)
    days = sorted(avail.slots)
    error = None
    day = days[0] if days else None
    if raw_day:
        try:
            asked = date.fromisoformat(raw_day)
        except ValueError:
            asked, error = None, "Please choose a day from the list."
        if asked is not None:
            if asked < today:
                error = "That day has already passed. Please choose another day."
            elif asked > today + timedelta(days=chosen.horizon_days):
                error = "That day is too far ahead to book yet. Please choose an earlier day."
            elif asked not in avail.slots:
                error = "There are no free times on that day. Please choose another day."
            else:
                day = asked
    return {
        "days": days,
        "day": day,
        "times": avail.slots.get(day, []) if day else [],
        "day_error": error,
        "zone": zone,
    }


@bp.get("")
def start():
    """Step 1: location (if more than one), service, day and time. A GET form: no cookie."""
    tenant = current_tenant()
    location = _location(request.args.get("location"))
    chosen = _service(request.args.get("service"))
    context = {"location": location, "service": chosen, "services": _services()}
    if location is not None and chosen is not None:
        context |= _picker(location, chosen, request.args.get("day"))
    return render_template("booking/start.html", tenant=tenant, **context)


def _details_context(form: DetailsForm, location: Location, chosen: Service, alternatives=()):
    start_at = _parse_start(form.start.data)
    return {
        "form": form,
        "location": location,
        "service": chosen,
        "start_at": start_at,
        "when": when_text(start_at, location.timezone, current_tenant().locale) if start_at else "",
        "alternatives": alternatives,
        "zone": ZoneInfo(location.timezone),
    }


@bp.route("/details", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"], exempt_when=_limits_off)
def details():
    """Step 2: the visitor's details. Errors come back next to the field, input kept."""
    tenant = current_tenant()
    source = request.form if request.method == "POST" else request.args
    location = _location(source.get("location"))
    chosen = _service(source.get("service"))
    if location is None or chosen is None:
        return redirect(url_for("booking.start"))
    form = (
        DetailsForm()
        if request.method == "POST"
        else DetailsForm(
            formdata=None,
            data={"location": location.id, "service": chosen.id, "start": source.get("start", "")},
        )
    )
    form.country = location.country
    if request.method == "GET":
        if _parse_start(form.start.data) is None:
            return redirect(url_for("booking.start", location=location.id, service=chosen.id))
        return render_template("booking/details.html", **_details_context(form, location, chosen))
    status = 200
    alternatives: list[datetime] = []
    if form.validate():
        start_at = _parse_start(form.start.data)
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
    return render_template(
        "booking/details.html", **_details_context(form, location, chosen, alternatives)
    ), status


@bp.get("/confirmed/<reference>")
def confirmed(reference: str):
    """Shown once to the browser that booked (its session holds the reference)."""
    if reference not in session.get("booked", []):
        abort(404)
    booking = _booking(reference=reference)
    return render_template("booking/confirmed.html", booking=booking, **_booking_text(booking))


def _booking(**by) -> Booking:
    booking = get_for_tenant_or_404(Booking, **by)
    _ = booking.location, booking.service
    return booking


def _booking_text(booking: Booking) -> dict:
    tenant = current_tenant()
    return {"when": when_text(booking.starts_at, booking.location.timezone, tenant.locale)}


def _from_link(token: str, action: str):
    """The confirmed booking a link names, or a page saying why the link no longer works
    (tampered, expired, already used, or the booking has moved)."""
    try:
        data = read_token(token, action)
    except LinkError as exc:
        return None, _link_problem(exc.reason)
    tenant = current_tenant()
    if data.get("t") != tenant.id:
        abort(404)
    booking = _booking(id=data["b"])
    if booking.status != "confirmed":
        return None, _link_problem("used", booking, 410)
    return booking, None


def _link_problem(reason: str, booking: Booking | None = None, status: int = 400):
    return render_template(
        "booking/link_problem.html",
        reason=reason,
        booking=booking,
        **(_moved(booking) if booking else {}),
    ), status


def _moved(booking: Booking) -> dict:
    """Follow a rescheduled booking to where it is now."""
    current = booking
    for _ in range(20):
        if current.status != "rescheduled" or current.rescheduled_to_id is None:
            break
        current = _booking(id=current.rescheduled_to_id)
    return {"current": current, **_booking_text(current)}


@bp.route("/cancel/<token>", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"], exempt_when=_limits_off)
def cancel(token: str):
    booking, problem = _from_link(token, "cancel")
    if problem:
        return problem
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            service.cancel_booking(current_tenant(), booking)
        except service.LinkUsed:
            return _link_problem("used", booking, 410)
        return render_template("booking/cancelled.html", booking=booking, **_booking_text(booking))
    return render_template(
        "booking/cancel.html", booking=booking, form=form, **_booking_text(booking)
    )


@bp.route("/reschedule/<token>", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"], exempt_when=_limits_off)
def reschedule(token: str):
    booking, problem = _from_link(token, "reschedule")
    if problem:
        return problem
    form = RescheduleForm()
    error, alternatives, status = None, [], 200
    if form.validate_on_submit():
        start_at = _parse_start(form.start.data)
        try:
            if start_at is None:
                raise service.BookingError("Please choose a new time.")
            new = service.reschedule_booking(current_tenant(), booking, start_at)
        except service.LinkUsed:
            return _link_problem("used", booking, 410)
        except service.BookingError as exc:
            error, alternatives, status = exc.message, exc.alternatives, 409
        else:
            return render_template("booking/rescheduled.html", booking=new, **_booking_text(new))
    picker = _picker(booking.location, booking.service, request.args.get("day"), booking.id)
    return render_template(
        "booking/reschedule.html",
        booking=booking,
        form=form,
        token=token,
        error=error,
        alternatives=alternatives,
        **picker,
        **_booking_text(booking),
    ), status
