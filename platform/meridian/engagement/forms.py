"""The reader forms, parsed in one place with bounds.

Plain `wtforms.Form` (no session CSRF token: these forms live on cached pages; see
guard.py for what protects them). Every message says what to do, and the view puts
the form back with the reader's text in it.
"""

from __future__ import annotations

from flask import current_app
from wtforms import Form, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..mail import AddressError, address
from .guard import count_links, has_control_characters, strip_control_characters

NAME_MAX = 80
COMMENT_MAX = 5000
MESSAGE_MAX = 5000


def _clean(form: Form) -> None:
    """Refuse control characters (NUL included): the form comes back without them."""
    for field in form:
        if isinstance(field.data, str) and has_control_characters(field.data):
            field.data = strip_control_characters(field.data)
            field.errors = [
                *field.errors,
                "This had characters we can't store; we took them out. Please check it.",
            ]


def one_line(form: Form, field) -> None:
    if field.data and ("\n" in field.data or "\r" in field.data):
        raise ValidationError("Please write this on one line.")


def email_address(form: Form, field) -> None:
    try:
        field.data = address(field.data or "")
    except AddressError as exc:
        raise ValidationError(
            "Please enter a valid e-mail address, like name@example.com."
        ) from exc


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def few_links(field, where: str) -> None:
    """Spam carries links: at most COMMENT_MAX_LINKS in a comment or a message."""
    cap = current_app.config["COMMENT_MAX_LINKS"]
    if count_links(field.data or "") > cap:
        raise ValidationError(
            f"Please include at most {cap} link{'s' if cap != 1 else ''} in {where}."
        )


def name_field(label: str) -> StringField:
    """A person's name: required, one line, at most NAME_MAX characters."""
    return StringField(
        label,
        filters=[_strip],
        validators=[
            DataRequired(message="Please enter your name."),
            Length(max=NAME_MAX, message=f"Please keep your name under {NAME_MAX} characters."),
            one_line,
        ],
    )


def email_field(label: str) -> StringField:
    """A required e-mail address, normalised by `email_address`."""
    return StringField(
        label,
        filters=[_strip],
        validators=[DataRequired(message="Please enter your e-mail address."), email_address],
    )


def text_field(label: str, *, most: int, noun: str, required: str | None = None):
    """Free text of at most `most` characters ("Please keep your {noun} under …")."""
    needed = [DataRequired(message=required)] if required else []
    return TextAreaField(
        label,
        filters=[_strip],
        validators=[
            *needed,
            Length(max=most, message=f"Please keep {noun} under {most:,} characters."),
        ],
    )


class ReaderForm(Form):
    # The honeypot: people never see it (the field's wrapper is `hidden`).
    homepage = StringField("Leave this empty", filters=[_strip])
    stamp = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        _clean(self)
        return ok and not any(field.errors for field in self)

    @property
    def is_bot(self) -> bool:
        return bool(self.homepage.data)


class CommentForm(ReaderForm):
    name = name_field("Name (shown with your comment)")
    email = email_field("E-mail")
    body = text_field(
        "Your comment", most=COMMENT_MAX, noun="your comment", required="Please write a comment."
    )

    def validate_body(self, field) -> None:
        few_links(field, "a comment")


class SubscribeForm(ReaderForm):
    email = email_field("Your e-mail address")


class ContactForm(ReaderForm):
    name = name_field("Your name")
    email = email_field("E-mail address")
    phone = StringField(
        "Phone (optional)",
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=40, message="Please keep the phone number under 40 characters."),
            one_line,
        ],
    )
    body = text_field(
        "Your message",
        most=MESSAGE_MAX,
        noun="your message",
        required="Please write your message.",
    )

    def validate_body(self, field) -> None:
        few_links(field, "a message")
