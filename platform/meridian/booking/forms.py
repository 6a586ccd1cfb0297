"""WTForms for the details step and the cancel / reschedule confirmations (with CSRF)."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from ..mail import AddressError, address
from ..params import PlainText, SingleLine

#: What the visitor agrees to when booking (the desk shows it beside the consent time).
CONSENT_WORDING = "I agree that the clinic stores these details to manage my appointment."


class DetailsForm(FlaskForm):
    location = HiddenField(validators=[InputRequired()])
    service = HiddenField(validators=[InputRequired()])
    practitioner = HiddenField()  # empty: first available
    start = HiddenField(validators=[InputRequired(message="Please choose a time.")])
    # The post whose booking button started the flow (`?from=<id>`), carried through
    # every step; ill-formed or not this clinic's post: simply no attribution.
    from_post = HiddenField(name="from")
    name = StringField(
        "Your name",
        validators=[
            DataRequired(message="Please enter your name."),
            Length(max=120),
            SingleLine(),
        ],
    )
    email = StringField(
        "E-mail address",
        validators=[
            DataRequired(message="Please enter your e-mail address."),
            Length(max=254),
            SingleLine(),
        ],
    )
    phone = StringField(
        "Phone number",
        validators=[
            DataRequired(message="Please enter a phone number."),
            Length(max=40),
            SingleLine(),
        ],
    )
    reason = TextAreaField(
        "Reason for your visit (optional)", validators=[Length(max=1000), PlainText()]
    )
    consent = BooleanField(
        CONSENT_WORDING,
        validators=[DataRequired(message="Please tick the box so we can keep your booking.")],
    )

    country = "GB"  # set by the view to the location's country

    def validate_email(self, field) -> None:
        raw = field.data.strip()
        try:
            result = validate_email(raw, check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValidationError(
                "Please enter a valid e-mail address, like name@example.com."
            ) from exc
        try:
            address(raw)  # what the outbox will need: refuses SMTPUTF8 local parts
        except AddressError as exc:
            raise ValidationError(
                "Sorry, we can't send e-mail to an address with accents or non-Latin "
                "letters before the @ yet. Please use another address."
            ) from exc
        field.data = result.normalized.lower()

    def validate_phone(self, field) -> None:
        try:
            number = phonenumbers.parse(field.data, self.country)
        except phonenumbers.NumberParseException as exc:
            raise ValidationError("Please enter a valid phone number.") from exc
        if not phonenumbers.is_valid_number(number):
            raise ValidationError("Please enter a valid phone number.")
        field.data = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token is the point (every state change is a POST)."""


class RescheduleForm(FlaskForm):
    start = HiddenField()
