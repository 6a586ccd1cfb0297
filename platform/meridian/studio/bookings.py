"""The bookings desk (owners and front desk; editors never see a client): the day sheet
and week calendar, and a booking's page. Every view of a booking's page is audited,
since it shows the client's details and reason for visit. Nothing here is cached
(the studio answers no-store) and nothing personal goes into a URL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Response, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from .. import spreadsheet
from ..auth.access import role_required
from ..auth.audit import record
from ..auth.forms import EmptyForm
from ..booking.forms import CONSENT_WORDING
from ..booking.messages import when_at
from ..desk import record as booking_record
from ..desk import sheet as day_sheet
from ..desk.forms import PHONE_CONSENT_WORDING, ExportForm
from ..extensions import db
from ..models import Booking, Location, Practitioner, PrivacyNotice, utcnow
from ..params import ascii_int
from ..params import day as day_arg
from ..tenancy import current_tenant, get_for_tenant_or_404, tenant_select
from . import bp, nav

nav.add("Bookings", "studio.bookings", order=10)
DESK = ("owner", "front_desk")
ATTENDANCE = {"arrived": "Arrived", "no_show": "No-show", "completed": "Completed"}
STATUS = {"confirmed": "Confirmed", "cancelled": "Cancelled", "rescheduled": "Moved"}
EMAIL_STATE = {
    "queued": "Queued",
    "sending": "Sending",
    "sent": "Sent",
    "failed": "Failed",
    "withdrawn": "Withdrawn",
}


def _int_arg(name: str) -> int | None:
    return ascii_int(request.args.get(name))  # ASCII digits within bounds ('²' is a digit)


def _day_arg(default: date) -> date:
    return day_arg(request.args.get("day")) or default  # within bounds a week can move in


def _locations() -> list[Location]:
    return list(
        db.session.scalars(tenant_select(Location).order_by(Location.position, Location.id))
    )


def _practitioners() -> list[Practitioner]:
    return list(
        db.session.scalars(
            tenant_select(Practitioner).order_by(
                Practitioner.active.desc(), Practitioner.position, Practitioner.id
            )
        )
    )


@bp.get("/bookings")
@role_required(*DESK)
def bookings():
    """The day sheet (default: today) or the week calendar, per location."""
    locations = _locations()
    if not locations:
        return render_template("studio/bookings.html", sheets=[], locations=[], team=[])
    location_id = _int_arg("location")
    chosen = [loc for loc in locations if loc.id == location_id] or locations
    today = day_sheet.today_at(chosen[0], utcnow())
    day = _day_arg(today)
    view = "week" if request.args.get("view") == "week" else "day"
    days = day_sheet.week_of(day) if view == "week" else [day]
    team = _practitioners()
    practitioner_id = _int_arg("practitioner")
    if practitioner_id not in {p.id for p in team}:
        practitioner_id = None
    filters = {
        "view": view,
        "location": location_id if len(chosen) == 1 and location_id else None,
        "practitioner": practitioner_id,
    }

    def link(**changes) -> str:
        args = {k: v for k, v in (filters | changes).items() if v is not None}
        return url_for("studio.bookings", **args)

    step = 7 if view == "week" else 1
    return render_template(
        "studio/bookings.html",
        sheets=day_sheet.build(chosen, days, practitioner_id),
        locations=locations,
        team=team,
        filters=filters,
        day=day,
        days=days,
        today=today,
        view=view,
        link=link,
        previous=day - timedelta(days=step),
        next=day + timedelta(days=step),
        attendance=ATTENDANCE,
        failed=day_sheet.failed_emails(utcnow()),
        email_state=EMAIL_STATE,
        export_form=ExportForm(formdata=None, first=days[0], last=days[-1]),
    )


@bp.get("/bookings/<int:booking_id>")
@role_required(*DESK)
def booking(booking_id: int):
    """One booking: client details, reason for visit (the view is audited), history and
    e-mails."""
    shown = get_for_tenant_or_404(Booking, id=booking_id)
    bookings = booking_record.chain(shown)
    tenant = current_tenant()

    def when(b: Booking) -> str:
        return when_at(b.starts_at, b.location, tenant.locale)

    history = booking_record.history(bookings, when)
    booked_by_desk = any(e.text == booking_record.ACTION_TEXT["booking.create"] for e in history)
    record(
        "booking.view",
        actor=current_user._get_current_object(),
        target=booking_record.target(shown),
    )
    db.session.commit()
    return render_template(
        "studio/booking.html",
        booking=shown,
        local_day=day_sheet.today_at(shown.location, shown.starts_at),
        latest=booking_record.latest(bookings),
        when=when,
        history=history,
        # Made from a post's booking button: only the first booking of the chain says so.
        from_post=bookings[0].from_post,
        emails=booking_record.emails(bookings),
        email_state=EMAIL_STATE,
        attendance=ATTENDANCE,
        status=STATUS,
        # What this client agreed to, under which version of the privacy notice
        # (bookings made before the notice was versioned show today's wording).
        consent_wording=shown.consent_text
        or (PHONE_CONSENT_WORDING if booked_by_desk else CONSENT_WORDING),
        notice=db.session.scalars(
            tenant_select(PrivacyNotice, PrivacyNotice.id == shown.privacy_notice_id)
        ).first()
        if shown.privacy_notice_id
        else None,
        mark_form=EmptyForm(),
    )


@bp.post("/bookings/export")
@role_required("owner")
def bookings_export():
    """Bookings starting in a date range (each location's own days) as CSV: who, when,
    what, state; never the reason for visit. The export is audited."""
    form = ExportForm()
    if not form.validate_on_submit():
        return render_template("studio/bookings_export.html", export_form=form), 400
    locations = {loc.id: loc for loc in _locations()}
    rows = []
    for location in locations.values():
        zone = ZoneInfo(location.timezone)
        start = datetime.combine(form.first.data, time.min, zone).astimezone(UTC)
        end = datetime.combine(form.last.data + timedelta(days=1), time.min, zone).astimezone(UTC)
        rows += db.session.scalars(
            tenant_select(
                Booking,
                Booking.location_id == location.id,
                Booking.starts_at >= start,
                Booking.starts_at < end,
                Booking.status != "rescheduled",
            ).options(selectinload(Booking.from_post))
        ).all()
    rows.sort(key=lambda b: (b.starts_at, b.id))
    # The post a booking came from is the clinic's own marketing data: here, not in the
    # platform's export of the clinic (an article's title can hint at a health matter).
    document = spreadsheet.table(
        (*spreadsheet.BOOKING_COLUMNS, "from_post"),
        ((*spreadsheet.booking_row(b), b.from_post.slug if b.from_post else "") for b in rows),
    )
    record(
        "bookings.export",
        actor=current_user._get_current_object(),
        first=form.first.data.isoformat(),
        last=form.last.data.isoformat(),
        count=len(rows),
    )
    db.session.commit()
    name = f"{current_tenant().slug}-bookings-{form.first.data}-{form.last.data}.csv"
    return Response(
        document,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
