"""The data request form: a reader form (no session, no cookie; guard.py protects it)."""

from __future__ import annotations

from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..engagement.forms import NAME_MAX, ReaderForm, _strip, email_address, one_line
from ..models import REQUEST_KINDS

DETAILS_MAX = 2000
KIND_LABELS = {
    "copy": "A copy of the information you hold about me",
    "correct": "Correct information about me",
    "erase": "Erase the information you hold about me",
}


class DataRequestForm(ReaderForm):
    kind = RadioField(
        "What would you like?",
        choices=[SelectChoice(kind, KIND_LABELS[kind]) for kind in REQUEST_KINDS],
        validate_choice=True,
        validators=[DataRequired(message="Please choose what you would like.")],
    )
    name = StringField(
        "Your name",
        filters=[_strip],
        validators=[
            DataRequired(message="Please enter your name."),
            Length(max=NAME_MAX, message=f"Please keep your name under {NAME_MAX} characters."),
            one_line,
        ],
    )
    email = StringField(
        "The e-mail address you used with us",
        filters=[_strip],
        validators=[DataRequired(message="Please enter your e-mail address."), email_address],
    )
    details = TextAreaField(
        "Anything we should know (optional)",
        filters=[_strip],
        validators=[
            Length(
                max=DETAILS_MAX,
                message=f"Please keep this under {DETAILS_MAX:,} characters.",
            )
        ],
    )
