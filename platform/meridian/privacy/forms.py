"""The data request form: a reader form (no session, no cookie; guard.py protects it)."""

from __future__ import annotations

from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from ..engagement.forms import ReaderForm, email_field, name_field, text_field
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
    name = name_field("Your name")
    email = email_field("The e-mail address you used with us")
    details = text_field("Anything we should know (optional)", most=DETAILS_MAX, noun="this")
