"""Sign-in forms. Secrets are never sent back to the browser (no value on re-render)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


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
