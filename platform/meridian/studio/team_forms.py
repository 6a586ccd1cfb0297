"""Forms of the practitioner pages. They read what was typed; the rules live in
`meridian.content.team` (and `content.places` for the hours' text)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import WEEKDAYS

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (usable without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PractitionerForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired("Give the practitioner's name."), Length(max=120)]
    )
    title = StringField("Title and qualifications", validators=[Length(max=200)])
    bio = TextAreaField("Short bio", validators=[Length(max=5_000)])
    photo = SelectField("Photo", choices=[], validate_choice=True)
    languages = StringField("Languages", validators=[Length(max=400)])
    slug = StringField("Web address name", validators=[Length(max=63)])
    services = CheckboxesField("Services they offer", choices=[], coerce=int)
    active = BooleanField("Takes bookings and is shown on the site", default=True)


def hours_field_name(location_id: int, day: str) -> str:
    return f"hours_{location_id}_{day}"


def practitioner_form_class(locations) -> type[PractitionerForm]:
    """The form with one weekly-hours field per day for each of the clinic's locations."""
    fields = {
        hours_field_name(location.id, day): StringField(
            f"{DAY_NAMES[index]} at {location.name}", validators=[Length(max=120)]
        )
        for location in locations
        for index, day in enumerate(WEEKDAYS)
    }
    return type("ClinicPractitionerForm", (PractitionerForm,), fields)


class TimeOffForm(FlaskForm):
    first = DateField("First day", validators=[InputRequired("Choose the first day away.")])
    last = DateField("Last day (for several days)", validators=[Optional()])
    starts = TimeField("From (leave empty for the whole day)", validators=[Optional()])
    ends = TimeField("Until (leave empty for the whole day)", validators=[Optional()])
    note = StringField("Note (staff only)", validators=[Length(max=200)])


class TimeOffRemoveForm(FlaskForm):
    """Only the CSRF token: the row is named in the URL."""
