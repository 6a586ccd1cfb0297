"""Forms of the second-factor pages. Codes and passwords are never sent back."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Regexp


class TotpCodeForm(FlaskForm):
    code = StringField(
        "6-digit code from your authenticator app",
        validators=[
            DataRequired("Please enter the code your app shows."),
            Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message="The code is 6 digits, like 123 456."),
        ],
    )


class RecoveryCodeForm(FlaskForm):
    code = StringField(
        "Recovery code",
        validators=[
            DataRequired("Please enter one of your recovery codes."),
            Length(max=20, message="A recovery code looks like abcde-fghij."),
        ],
    )


class PasskeyForm(FlaskForm):
    """Filled in by static/js/passkey.js with the device's answer."""

    credential = HiddenField(
        validators=[
            DataRequired("Your device did not answer. Please try again."),
            Length(max=20_000),
        ]
    )


class NewPasskeyForm(PasskeyForm):
    name = StringField(
        "Name this passkey",
        validators=[
            DataRequired("Please give the passkey a name, such as “work laptop”."),
            Length(max=60, message="Please keep the name under 60 characters."),
            Regexp(r"^[^\x00-\x1f\x7f]*$", message="Please keep the name on one line."),
        ],
    )


class PasswordConfirmForm(FlaskForm):
    password = PasswordField(
        "Your password",
        validators=[DataRequired("Please enter your password to confirm."), Length(max=1024)],
    )


class StaffSecondFactorForm(FlaskForm):
    required = BooleanField("Every member of staff must use a second factor to sign in")
