"""The links in booking e-mails: cancel and reschedule, signed, single use."""

from __future__ import annotations

from flask import abort, render_template

from ..models import Booking, utcnow
from ..tenancy import current_tenant
from . import bp, service
from .forms import ConfirmForm, RescheduleForm
from .tokens import LinkError, read_token
from .views import booking_or_404, booking_text, parse_start, week_picker


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
    booking = booking_or_404(id=data["b"])
    if booking.status != "confirmed":
        return None, _link_problem("used", booking, 410)
    if utcnow() >= service.change_deadline(tenant, booking):
        return None, _link_problem("too_late", booking, 410)
    return booking, None


def _link_problem(reason: str, booking: Booking | None = None, status: int = 400):
    """Why a link no longer works: invalid, expired, used (or moved), or too late to
    change online (the page gives the location's phone number)."""
    return render_template(
        "booking/link_problem.html",
        reason=reason,
        booking=booking,
        **(_moved(booking) if booking else {}),
        cutoff_hours=current_tenant().change_cutoff_hours,
    ), status


def _moved(booking: Booking) -> dict:
    """Follow a rescheduled booking to where it is now."""
    current = booking
    for _ in range(20):
        if current.status != "rescheduled" or current.rescheduled_to_id is None:
            break
        current = booking_or_404(id=current.rescheduled_to_id)
    return {"current": current, **booking_text(current)}


@bp.route("/cancel/<token:token>", methods=["GET", "POST"])
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
        except service.TooLate:
            return _link_problem("too_late", booking, 410)
        return render_template("booking/cancelled.html", booking=booking, **booking_text(booking))
    return render_template(
        "booking/cancel.html", booking=booking, form=form, **booking_text(booking)
    )


@bp.route("/reschedule/<token:token>", methods=["GET", "POST"])
def reschedule(token: str):
    booking, problem = _from_link(token, "reschedule")
    if problem:
        return problem
    form = RescheduleForm()
    error, alternatives, status = None, [], 200
    if form.validate_on_submit():
        start_at = parse_start(form.start.data)
        try:
            if start_at is None:
                raise service.BookingError("Please choose a new time.")
            new = service.reschedule_booking(current_tenant(), booking, start_at)
        except service.LinkUsed:
            return _link_problem("used", booking, 410)
        except service.TooLate:
            return _link_problem("too_late", booking, 410)
        except service.BookingError as exc:
            error, alternatives, status = exc.message, exc.alternatives, 409
        else:
            return render_template("booking/rescheduled.html", booking=new, **booking_text(new))
    picker = week_picker(booking.location, booking.service, booking.practitioner, booking.id)
    return render_template(
        "booking/reschedule.html",
        booking=booking,
        form=form,
        token=token,
        error=error,
        alternatives=alternatives,
        **picker,
        **booking_text(booking),
    ), status
