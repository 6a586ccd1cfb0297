"""Sign-in forms. Secrets are never sent back to the browser (no value on re-render)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class SignInForm(FlaskForm):
    email = EmailField(
        "E-mail address",
        validators=[DataRequired("Please enter your e-mail address."), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Please enter your password."), Length(max=1024)],
    )


class EmptyForm(FlaskForm):
    """A POST with nothing but its CSRF token (sign out, confirmations)."""


def _new_password_problem(form, field) -> None:
    from wtforms.validators import ValidationError

    from .passwords import password_problem

    problem = password_problem(field.data or "", getattr(form, "account_email", ""))
    if problem:
        raise ValidationError(problem)


class NewPasswordForm(FlaskForm):
    """A new password twice. Set `form.account_email` so it cannot be the e-mail."""

    account_email = ""
    new_password = PasswordField(
        "New password",
        validators=[DataRequired("Please choose a password."), _new_password_problem],
    )
    confirm = PasswordField(
        "New password again",
        validators=[
            DataRequired("Please type the password again."),
            EqualTo("new_password", "The two passwords are not the same."),
        ],
    )


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Please enter your current password."), Length(max=1024)],
    )


class ResetRequestForm(FlaskForm):
    email = EmailField(
        "E-mail address",
        validators=[DataRequired("Please enter your e-mail address."), Length(max=254)],
    )


class AcceptNewAccountForm(NewPasswordForm):
    display_name = StringField(
        "Your name",
        validators=[DataRequired("Please enter your name."), Length(max=120)],
    )
