"""Every value that comes from a request is parsed here, with bounds.

* URL converters (`slug`, `token`, `reference`, a bounded `int`, and a stricter
  `default`/`string`)
  refuse what no row can match, so a malformed path is a 404 from the router, before
  any view or SQL runs. Every future `<name>` segment gets the strict default.
* `refuse_nul` (before_request): a NUL in the path or a query parameter is a 404/400
  for every route, present and future. PostgreSQL cannot store NUL in text, and no
  person types one. In form fields the validators below refuse it with a message.
* Query values: `page_arg`, `id_arg`, `instant`, `day` accept ASCII digits only
  (`str.isdigit()` is true for `²`, and `int()` reads `٣`) within bounds that the
  database and `datetime` can hold.
* Form fields: `SingleLine` and `PlainText` validators refuse line breaks and control
  characters with a message for the visitor; hidden fields (ids, the chosen time) go
  through the same parsers as query values.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime

from flask import Flask, abort, request
from flask_wtf import FlaskForm
from werkzeug.routing import BaseConverter, IntegerConverter, UnicodeConverter
from wtforms.validators import StopValidation, ValidationError

#: Integer ids fit a 32-bit signed column on every backend.
MAX_ID = 2**31 - 1
#: Far more pages than any clinic will have; keeps OFFSET small and finite.
MAX_PAGE = 10_000
#: Instants a visitor can mean: clear of `datetime`'s year 1 / 9999 edges, where any
#: UTC offset overflows.
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)


class SlugConverter(BaseConverter):
    """Lower-case letters, digits and dashes: the only slugs bundles and the studio make."""

    regex = r"[a-z0-9][a-z0-9-]{0,119}"


class TokenConverter(BaseConverter):
    """A signed link token (URL-safe base64 and dots), of a sane length."""

    regex = r"[A-Za-z0-9_.\-]{1,400}"


class ReferenceConverter(BaseConverter):
    regex = r"[A-Z0-9]{4,16}"


class StrictStringConverter(UnicodeConverter):
    """The default `<name>`: no control characters, at most 200 characters."""

    def __init__(self, map, minlength=1, maxlength=200, length=None) -> None:  # noqa: A002
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = self.regex.replace("[^/]", r"[^/\x00-\x1f\x7f]")


class IdConverter(IntegerConverter):
    """`<int:...>`: ASCII digits (werkzeug's default) within 1..MAX_ID, so an id no
    column can hold is a 404 from the router, never an overflow in the driver."""

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _has_nul(values) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def refuse_nul() -> None:
    """before_request: NUL in the path is a 404, in a query parameter a 400.

    Form fields are left to their validators (`NoNul` on every field of every form,
    `SingleLine`, `PlainText`), so the visitor gets the form back with the input kept
    and the error next to the field.
    """
    if "\x00" in request.path:
        abort(404)
    if _has_nul(request.args):
        abort(400)


def ascii_int(raw: str | None, low: int = 1, high: int = MAX_ID) -> int | None:
    """`raw` as an int if it is 1-10 ASCII digits within [low, high], else None."""
    if not raw or len(raw) > 10 or not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if low <= value <= high else None


def page_arg(name: str = "page") -> int:
    """`?page=`: absent is 1; canonical numbers 1..MAX_PAGE only, anything else is 404
    (so the page cache holds one entry per real page)."""
    raw = request.args.get(name)
    if raw is None:
        return 1
    value = ascii_int(raw, 1, MAX_PAGE)
    if value is None or raw != str(value):
        abort(404)
    return value


def id_arg(raw: str | None) -> int | None:
    """An id from a query or hidden field: None if absent, 404 if malformed."""
    if raw is None or raw == "":
        return None
    value = ascii_int(raw)
    if value is None:
        abort(404)
    return value


def instant(raw: str | None) -> datetime | None:
    """An ISO 8601 instant with an offset, in UTC, within [EARLIEST, LATEST); else None."""
    if not raw or len(raw) > 40 or not raw.isascii():
        return None
    try:
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            return None
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return moment if EARLIEST <= moment < LATEST else None


def day(raw: str | None) -> date | None:
    """An ISO date (YYYY-MM-DD) within the same bounds; else None."""
    if not raw or len(raw) != 10 or not raw.isascii():
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        return None
    return value if EARLIEST.date() <= value < LATEST.date() else None


#: Control characters, surrogates, and the Unicode line and paragraph separators.
_REFUSED_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}


def _controls(text: str, allow: str = "") -> bool:
    return any(ch not in allow and unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in text)


class SingleLine:
    """A one-line field (name, e-mail, phone): no line breaks or control characters,
    which would otherwise show up as forged lines in the clinic's e-mail."""

    message = "Please keep this to one line, without line breaks or special characters."

    def __call__(self, form, field) -> None:
        if field.data and _controls(field.data):
            raise StopValidation(self.message)


class PlainText:
    """A multi-line text (reason for visit): line breaks and tabs, no other controls."""

    message = "Please remove special (control) characters from this text."

    def __call__(self, form, field) -> None:
        if field.data and _controls(field.data, allow="\r\n\t"):
            raise StopValidation(self.message)


class NoNul:
    """Every field of every form: a NUL is refused with a message (PostgreSQL cannot
    store it, and a query with it fails). Added last, after the field's own checks."""

    message = "This contains a character we can't store (NUL). Please remove it."

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str) and "\x00" in field.data:
            raise ValidationError(self.message)


def _guard_every_form() -> None:
    """Give every FlaskForm field (present and future) the NoNul check, through WTForms'
    own extension point, `Meta.bind_field`. Idempotent (several apps per process)."""
    meta = FlaskForm.Meta
    if getattr(meta, "meridian_no_nul", False):
        return
    bind = meta.bind_field

    def bind_field(self, form, unbound_field, options):
        field = bind(self, form, unbound_field, options)
        field.validators = [*field.validators, NoNul()]
        return field

    meta.bind_field = bind_field
    meta.meridian_no_nul = True


def init_app(app: Flask) -> None:
    _guard_every_form()
    app.url_map.converters.update(
        default=StrictStringConverter,
        string=StrictStringConverter,
        slug=SlugConverter,
        token=TokenConverter,
        reference=ReferenceConverter,
        int=IdConverter,
    )
    app.before_request(refuse_nul)
