"""The desk's actions (owners and front desk): attendance marks, cancel, move on the
client's behalf, book for a client who phones, block time, send an e-mail again.

Booking, moving and cancelling go through `booking.service` (the visitor's own code:
the same conditional updates and the same database guard against double booking);
each action's audit event commits in the same transaction as the change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.access import may, role_required
from ..auth.audit import record
from ..auth.forms import EmptyForm
from ..booking import service as booking_service
from ..booking.messages import when_at
from ..booking.views import parse_start
from ..desk import actions
from ..desk.forms import BlockForm, BookForm, CancelForm, MarkForm, MoveForm
from ..desk.record import chain, target
from ..desk.sheet import today_at
from ..extensions import db
from ..models import (
    Booking,
    Closure,
    Location,
    OutboxMessage,
    Practitioner,
    Service,
    TimeOff,
    utcnow,
)
from ..params import ascii_int
from ..params import day as day_arg
from ..tenancy import current_tenant, get_for_tenant_or_404, tenant_select
from . import bp
from .bookings import DESK


def _actor():
    return current_user._get_current_object()


def _when(booking: Booking) -> str:
    return when_at(booking.starts_at, booking.location, current_tenant().locale)


def _back(booking: Booking):
    return redirect(url_for("studio.booking", booking_id=booking.id), 303)


def _day(raw: str | None, default: date) -> date:
    return day_arg(raw) or default


def _free_times(location, service, day, practitioner=None, exclude_id=None) -> list[datetime]:
    """The free times of `day` as the desk may book them (no online-only limits)."""
    avail = booking_service.availability(
        location,
        booking_service.AtTheDesk(service),
        utcnow(),
        day,
        day,
        exclude_id,
        practitioner,
    )
    return avail.slots.get(day, [])


@bp.post("/bookings/<int:booking_id>/attendance")
@role_required(*DESK)
def booking_mark(booking_id: int):
    booking = get_for_tenant_or_404(Booking, id=booking_id)
    form = MarkForm()
    if not form.validate():
        abort(400)
    if actions.mark(booking, form.mark.data, _actor()):
        label = actions.MARKS.get(form.mark.data)
        flash(f"Marked {label.lower()}." if label else "Mark removed.", "success")
    else:
        flash("This booking is no longer confirmed: nothing was marked.", "error")
    return _back(booking)


@bp.route("/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@role_required(*DESK)
def booking_cancel(booking_id: int):
    booking = get_for_tenant_or_404(Booking, id=booking_id)
    form = CancelForm()
    if booking.status != "confirmed":
        flash("This booking is no longer confirmed: there is nothing to cancel.", "error")
        return _back(booking)
    if form.validate_on_submit():
        record(
            "booking.cancel",
            actor=_actor(),
            target=target(booking),
            told_client=bool(form.tell_client.data),
        )
        try:
            booking_service.cancel_booking(
                current_tenant(),
                booking,
                note=form.note.data.strip(),
                by_clinic=True,
                tell_client=bool(form.tell_client.data),
            )
        except booking_service.LinkUsed:
            flash("This booking changed meanwhile (moved or cancelled): nothing was done.", "error")
            return _back(booking)
        told = (
            " The client is being told by e-mail."
            if form.tell_client.data and booking.client_email
            else ""
        )
        flash(f"Cancelled.{told}", "success")
        return _back(booking)
    status = 400 if form.errors else 200
    return render_template(
        "studio/booking_cancel.html", booking=booking, form=form, when=_when(booking)
    ), status


@bp.route("/bookings/<int:booking_id>/move", methods=["GET", "POST"])
@role_required(*DESK)
def booking_move(booking_id: int):
    """Reschedule on the client's behalf: the visitor's atomic swap, any free time."""
    booking = get_for_tenant_or_404(Booking, id=booking_id)
    if booking.status != "confirmed":
        flash("This booking is no longer confirmed: it cannot be moved.", "error")
        return _back(booking)
    location = booking.location
    today = today_at(location, utcnow())
    current_day = today_at(location, booking.starts_at)
    day = max(_day(request.args.get("day"), max(current_day, today)), today)
    form = MoveForm()
    error, alternatives, status = None, [], 200
    if form.validate_on_submit():
        start = parse_start(form.start.data)
        old_reference = booking.reference

        def audit(new: Booking) -> None:
            record(
                "booking.reschedule",
                actor=_actor(),
                target=target(new),
                moved_from=old_reference,
                told_client=bool(form.tell_client.data),
            )

        try:
            if start is None:
                raise booking_service.BookingError("Please choose a new time.")
            new = booking_service.reschedule_booking(
                current_tenant(),
                booking,
                start,
                at_desk=True,
                tell_client=bool(form.tell_client.data),
                before_commit=audit,
            )
        except booking_service.LinkUsed:
            flash("This booking changed meanwhile (moved or cancelled): nothing was done.", "error")
            return _back(booking)
        except booking_service.BookingError as exc:
            error, alternatives, status = exc.message, exc.alternatives, 409
        else:
            flash(f"Moved to {_when(new)}.", "success")
            return _back(new)
    elif form.errors:
        error, status = "Please choose a new time.", 400
    return render_template(
        "studio/booking_move.html",
        booking=booking,
        form=form,
        when=_when(booking),
        day=day,
        today=today,
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        times=_free_times(location, booking.service, day, booking.practitioner, booking.id),
        error=error,
        alternatives=alternatives,
    ), status


@bp.post("/bookings/<int:booking_id>/emails/<int:message_id>/resend")
@role_required(*DESK)
def booking_resend(booking_id: int, message_id: int):
    booking = get_for_tenant_or_404(Booking, id=booking_id)
    message = get_for_tenant_or_404(OutboxMessage, id=message_id)
    if message.booking_id not in {b.id for b in chain(booking)}:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    actions.resend(message, _actor())
    flash(f"“{message.subject}” will be sent again to {message.recipient}.", "success")
    return _back(booking)


def _choice(model, raw):
    return (
        db.session.scalars(tenant_select(model, model.id == int(raw))).first()
        if ascii_int(raw) is not None
        else None
    )


@bp.route("/bookings/new", methods=["GET", "POST"])
@role_required(*DESK)
def booking_new():
    """Book for a client who phones: any free time, or (owners) any other time the
    database accepts; with or without the confirmation e-mail."""
    tenant = current_tenant()
    locations = list(db.session.scalars(tenant_select(Location).order_by(Location.position)))
    services = list(db.session.scalars(tenant_select(Service).order_by(Service.position)))
    team = list(
        db.session.scalars(
            tenant_select(Practitioner, Practitioner.active.is_(True)).order_by(
                Practitioner.position
            )
        )
    )
    location = _choice(Location, request.args.get("location")) or (
        locations[0] if len(locations) == 1 else None
    )
    chosen = _choice(Service, request.args.get("service"))
    person = _choice(Practitioner, request.args.get("practitioner"))
    today = today_at(location, utcnow()) if location else utcnow().date()
    day = max(_day(request.args.get("day"), today), today)
    form = BookForm()
    if location is not None:
        form.country = location.country
    error, alternatives, status = None, [], 200
    owner = may("owner")
    if request.method == "POST" and (location is None or chosen is None):
        abort(400)
    if form.validate_on_submit():
        outside = form.start.data == "other"
        if outside and (not owner or person is None):
            error, status = (
                "Only an owner may book outside the free times, with one practitioner.",
                400,
            )
        else:
            if outside:
                start = datetime.combine(day, form.other_time.data, ZoneInfo(location.timezone))
                start = start.astimezone(UTC)
            else:
                start = parse_start(form.start.data)

            def audit(booking: Booking) -> None:
                record(
                    "booking.create",
                    actor=_actor(),
                    target=target(booking),
                    outside_hours=outside,
                    told_client=bool(form.tell_client.data),
                )

            try:
                if start is None:
                    raise booking_service.BookingError("Please choose a time.")
                booking = booking_service.place_booking(
                    tenant,
                    location,
                    chosen,
                    start,
                    name=form.name.data.strip(),
                    email=(form.email.data or "").strip(),
                    phone=form.phone.data,
                    reason=form.reason.data.strip(),
                    practitioner=person,
                    at_desk=True,
                    outside_hours=outside,
                    tell_client=bool(form.tell_client.data),
                    before_commit=audit,
                )
            except booking_service.BookingError as exc:
                error, alternatives = exc.message, exc.alternatives
                status = 409 if isinstance(exc, booking_service.SlotTaken) else 400
            else:
                flash(f"Booked: {booking.client_name}, {_when(booking)}.", "success")
                return redirect(url_for("studio.booking", booking_id=booking.id), 303)
    elif form.errors:
        status = 400
    times = []
    if location is not None and chosen is not None:
        times = _free_times(location, chosen, day, person)
    return render_template(
        "studio/booking_new.html",
        form=form,
        locations=locations,
        services=services,
        team=team,
        location=location,
        chosen=chosen,
        person=person,
        day=day,
        today=today,
        times=times,
        owner=owner,
        error=error,
        alternatives=alternatives,
    ), status


def _block_choices(locations, team) -> list[tuple[str, str]]:
    return [(f"practitioner:{p.id}", p.name) for p in team] + [
        (f"location:{loc.id}", f"All of {loc.name} (closed all day)") for loc in locations
    ]


@bp.route("/bookings/block", methods=["GET", "POST"])
@role_required(*DESK)
def block_time():
    """Block time for a practitioner (time off) or a whole location (a closure)."""
    locations = list(db.session.scalars(tenant_select(Location).order_by(Location.position)))
    team = list(
        db.session.scalars(
            tenant_select(Practitioner, Practitioner.active.is_(True)).order_by(
                Practitioner.position
            )
        )
    )
    form = BlockForm()
    form.what.choices = _block_choices(locations, team)
    if request.method == "GET":
        form.what.data = request.args.get("what") or (
            form.what.choices[0][0] if form.what.choices else ""
        )
        form.day.data = _day(
            request.args.get("day"),
            today_at(locations[0], utcnow()) if locations else utcnow().date(),
        )
    if form.validate_on_submit():
        kind, _, raw_id = form.what.data.partition(":")
        if kind == "practitioner":
            practitioner = get_for_tenant_or_404(Practitioner, id=int(raw_id))
            where = next(
                (loc for loc in locations if loc.id in practitioner.location_ids), locations[0]
            )
            zone = ZoneInfo(where.timezone)
            start = datetime.combine(form.day.data, form.starts.data, zone).astimezone(UTC)
            end = datetime.combine(form.day.data, form.ends.data, zone).astimezone(UTC)
            actions.block_practitioner(practitioner, start, end, form.note.data.strip(), _actor())
            kept = actions.overlapping(practitioner.id, None, start, end)
            flash(f"{practitioner.name} is away then.", "success")
        else:
            location = get_for_tenant_or_404(Location, id=int(raw_id))
            actions.close_location(location, form.day.data, form.note.data.strip(), _actor())
            start = datetime.combine(
                form.day.data, datetime.min.time(), ZoneInfo(location.timezone)
            )
            kept = actions.overlapping(None, location.id, start, start + timedelta(days=1))
            flash(f"{location.name} is closed that day.", "success")
        if kept:
            flash(
                f"{len(kept)} booking{'s' if len(kept) != 1 else ''} in that time "
                f"{'are' if len(kept) != 1 else 'is'} kept: move or cancel "
                f"{'them' if len(kept) != 1 else 'it'} from the day sheet.",
                "error",
            )
        return redirect(url_for("studio.bookings", day=form.day.data.isoformat()), 303)
    day = form.day.data or utcnow().date()
    blocks = list(
        db.session.scalars(
            tenant_select(
                TimeOff,
                TimeOff.ends_at
                > datetime.combine(day - timedelta(days=1), datetime.min.time(), UTC),
                TimeOff.starts_at
                < datetime.combine(day + timedelta(days=2), datetime.min.time(), UTC),
            ).order_by(TimeOff.starts_at)
        )
    )
    closures = list(
        db.session.scalars(tenant_select(Closure, Closure.day == day, Closure.is_open.is_(False)))
    )
    return render_template(
        "studio/block.html",
        form=form,
        blocks=blocks,
        closures=closures,
        names={p.id: p.name for p in team},
        places={loc.id: loc for loc in locations},
        remove_form=EmptyForm(),
    ), 400 if form.errors else 200


@bp.post("/bookings/time-off/<int:off_id>/remove")
@role_required(*DESK)
def desk_time_off_remove(off_id: int):
    off = get_for_tenant_or_404(TimeOff, id=off_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    actions.remove_time_off(off, _actor())
    flash("The blocked time is free again.", "success")
    return redirect(url_for("studio.block_time"), 303)


@bp.post("/bookings/closures/<int:closure_id>/remove")
@role_required(*DESK)
def desk_closure_remove(closure_id: int):
    closure = get_for_tenant_or_404(Closure, id=closure_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    actions.remove_closure(closure, _actor())
    flash("The location is open that day again.", "success")
    return redirect(url_for("studio.block_time"), 303)
