"""The desk's forms (WTForms with CSRF): attendance, cancel, move, book for a client,
block time."""

from __future__ import annotations

from datetime import date, datetime, time

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError

from ..booking.forms import DetailsForm
from .actions import MARKS

#: What the desk confirms the client agreed to on the phone (shown on the booking's page).
PHONE_CONSENT_WORDING = (
    "The client agreed (by phone or in person) that the clinic stores these details "
    "to manage the appointment."
)


class MarkForm(FlaskForm):
    mark = HiddenField(validators=[AnyOf([*MARKS, "clear"])])


class CancelForm(FlaskForm):
    note = StringField(
        "Why is it cancelled?",
        validators=[
            DataRequired("Please say why (the client does not see this)."),
            Length(max=200),
        ],
    )
    tell_client = BooleanField("E-mail the client that it is cancelled", default=True)


class MoveForm(FlaskForm):
    start = HiddenField(validators=[InputRequired("Please choose a new time.")])
    tell_client = BooleanField("E-mail the client the new time", default=True)


class BookForm(DetailsForm):
    """The visitor's details form, worded for the desk, plus the desk's choices."""

    name = StringField(
        "Client's name",
        validators=[DataRequired(message="Please enter the client's name."), Length(max=120)],
    )
    # Optional at the desk: a client who phones may have no e-mail address (no e-mail
    # is then ever sent about the booking: the clinic telephones them).
    email = StringField(
        "Client's e-mail address (if they have one)",
        validators=[Optional(), Length(max=254)],
    )
    phone = StringField(
        "Client's phone number",
        validators=[DataRequired(message="Please enter a phone number."), Length(max=40)],
    )
    reason = TextAreaField("Reason for visit (optional)", validators=[Length(max=1000)])
    consent = BooleanField(
        PHONE_CONSENT_WORDING,
        validators=[DataRequired(message="Please ask the client and tick the box.")],
    )
    start = HiddenField()  # a free time (ISO), or "other" for `other_time` (owners)
    other_time = TimeField("Another time (outside opening hours)", validators=[Optional()])
    tell_client = BooleanField("E-mail the client a confirmation", default=True)

    def validate_tell_client(self, field) -> None:
        if field.data and not (self.email.data or "").strip():
            raise ValidationError(
                "Add the client's e-mail address to send the confirmation, or untick this."
            )

    def validate_start(self, field) -> None:
        if not field.data:
            raise ValidationError("Please choose a time.")
        if field.data == "other" and self.other_time.data is None:
            raise ValidationError("Please enter the other time.")


class BlockForm(FlaskForm):
    """Time off for a practitioner (from-to on one day), or a whole location closed."""

    what = SelectField("Block", choices=[])  # "practitioner:<id>" or "location:<id>"
    day = DateField("Day", validators=[InputRequired("Please enter the day.")])
    starts = TimeField("From", validators=[Optional()])
    ends = TimeField("Until", validators=[Optional()])
    note = StringField("Note for the clinic (optional)", validators=[Length(max=200)])

    def validate_ends(self, field) -> None:
        if not (self.what.data or "").startswith("practitioner:"):
            return
        if self.starts.data is None or field.data is None:
            raise ValidationError("Please enter both times (or block the whole location).")
        if field.data <= self.starts.data:
            raise ValidationError("Please make the end later than the start.")


def local_moment(day: date, clock: time, zone) -> datetime:
    return datetime.combine(day, clock, zone)


class ExportForm(FlaskForm):
    """Bookings of a date range as CSV (owners)."""

    first = DateField("From", validators=[InputRequired("Please enter the first day.")])
    last = DateField("Until", validators=[InputRequired("Please enter the last day.")])

    def validate_last(self, field) -> None:
        if self.first.data and field.data and field.data < self.first.data:
            raise ValidationError("Please make the last day the same as or after the first.")
        if self.first.data and field.data and (field.data - self.first.data).days > 366:
            raise ValidationError("Please choose at most a year.")
