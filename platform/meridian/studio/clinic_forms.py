"""Forms of the clinic pages (settings, locations, services): fields and their labels.

They only read what was typed; the rules (contrast, networks, phone per country, hours,
limits) live in `meridian.content`, so the bundle loader and the studio agree.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..content.places import country_name, zones_for
from ..content.social import NETWORKS
from ..models import WEEKDAYS
from ..themes import THEMES

FIRST_VISIT_STEPS = 6
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class SettingsForm(FlaskForm):
    name = StringField(
        "Clinic name", validators=[DataRequired("The clinic needs a name."), Length(max=120)]
    )
    tagline = StringField("Tagline", validators=[Length(max=200)])
    about_md = TextAreaField("About the clinic", validators=[Length(max=20_000)])
    disclaimer = TextAreaField("Medical disclaimer", validators=[Length(max=2_000)])
    logo = SelectField("Logo", choices=[], validate_choice=True)
    # Checked by content.brand (format and contrast): no `required` on a colour input.
    brand_primary = StringField("Main colour")
    brand_accent = StringField("Accent colour")
    theme = RadioField(
        "Design",
        choices=[SelectChoice(t.slug, f"{t.name}: {t.summary}") for t in THEMES.values()],
        validate_choice=True,
    )
    hero = SelectField("Photo at the top of the home page", choices=[], validate_choice=True)
    trust_line = StringField("One line of trust", validators=[Length(max=300)])
    first_visit = TextAreaField(
        "Your first visit, one step per line", validators=[Length(max=FIRST_VISIT_STEPS * 300)]
    )

    def validate_first_visit(self, field) -> None:
        steps = first_visit_steps(field.data)
        if len(steps) > FIRST_VISIT_STEPS:
            raise ValidationError(f"Up to {FIRST_VISIT_STEPS} steps, one per line.")
        if any(len(step) > 300 for step in steps):
            raise ValidationError("Keep each step under 300 characters.")


def first_visit_steps(text: str | None) -> list[str]:
    """The steps typed, one per line, blank lines dropped."""
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


for _network in NETWORKS:
    setattr(
        SettingsForm,
        f"social_{_network.key}",
        StringField(_network.label, validators=[Length(max=300)]),
    )
SOCIAL_FIELDS = [f"social_{network.key}" for network in NETWORKS]


class LocationForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired("Give the location a name."), Length(max=120)]
    )
    slug = StringField("Web address name", validators=[Length(max=63)])
    street = StringField("Street address", validators=[Length(max=200)])
    locality = StringField("Area or suburb", validators=[Length(max=120)])
    city = StringField("Town or city", validators=[Length(max=120)])
    region = StringField("Region or county", validators=[Length(max=120)])
    postcode = StringField("Postcode", validators=[Length(max=20)])
    country = SelectField("Country", choices=[])
    phone = StringField("Phone", validators=[Length(max=40)])
    email = StringField("E-mail", validators=[Length(max=254)])
    timezone = SelectField("Time zone", choices=[], validate_choice=False)
    holiday_subdivision = SelectField("Public holidays of", choices=[], validate_choice=False)
    directions = TextAreaField("How to find us", validators=[Length(max=2_000)])


for _index, _day in enumerate(WEEKDAYS):
    setattr(
        LocationForm,
        f"hours_{_day}",
        StringField(DAY_NAMES[_index], validators=[Length(max=120)]),
    )
HOURS_FIELDS = [f"hours_{day}" for day in WEEKDAYS]


def country_choices(locale: str) -> list[tuple[str, str]]:
    import phonenumbers

    codes = {code for code in phonenumbers.SUPPORTED_REGIONS if zones_for(code)}
    return sorted(((code, country_name(code, locale)) for code in codes), key=lambda c: c[1])


class ClosureForm(FlaskForm):
    first = DateField("First day", validators=[InputRequired("Choose the first day.")])
    last = DateField("Last day (for several days)", validators=[Optional()])
    reason = StringField("Reason (shown to staff only)", validators=[Length(max=200)])
    is_open = BooleanField("Open on this day although it is a public holiday")


class ClosureRemoveForm(FlaskForm):
    first = DateField("First day", validators=[InputRequired()])
    last = DateField("Last day", validators=[Optional()])


class ServiceForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired("Give the service a name."), Length(max=120)]
    )
    slug = StringField("Web address name", validators=[Length(max=63)])
    description = TextAreaField("Description", validators=[Length(max=2_000)])
    duration_minutes = IntegerField(
        "Length (minutes)",
        validators=[
            InputRequired("Say how long an appointment lasts."),
            NumberRange(5, 480, "Between 5 and 480 minutes."),
        ],
    )
    price = StringField("Price", validators=[Length(max=20)])
    buffer_minutes = IntegerField(
        "Buffer after each appointment (minutes)",
        default=0,
        validators=[
            InputRequired("Enter 0 for no buffer."),
            NumberRange(0, 240, "Between 0 and 240 minutes."),
        ],
    )
    min_notice_minutes = IntegerField(
        "Minimum notice (minutes)",
        default=120,
        validators=[
            InputRequired("Enter 0 for no notice."),
            NumberRange(0, 43_200, "Between 0 and 43,200 minutes (30 days)."),
        ],
    )
    horizon_days = IntegerField(
        "Bookable this many days ahead",
        default=60,
        validators=[
            InputRequired("Say how far ahead people may book."),
            NumberRange(1, 365, "Between 1 and 365 days."),
        ],
    )
    online_bookable = BooleanField("Can be booked online", default=True)
    new_clients_only = BooleanField("For new clients only")


def price_to_minor(text: str, currency: str) -> int:
    """`45`, `45.50`, `£45.50` -> minor units of `currency`; ValueError with a sentence."""
    digits = get_currency_precision(currency)
    cleaned = "".join(ch for ch in (text or "").strip() if ch.isdigit() or ch in ".,")
    cleaned = cleaned.replace(",", "")
    if not cleaned:
        if (text or "").strip():
            raise ValueError(f"Write the price as a number, e.g. 65 or 65.{'0' * digits}.")
        return 0
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(f"Write the price as a number, e.g. 65 or 65.{'0' * digits}.") from exc
    scaled = amount * (10**digits)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{currency} prices have at most {digits} decimal places.")
    if scaled > 10_000_000:
        raise ValueError("That price is too high.")
    return int(scaled)


def minor_to_price(minor: int, currency: str) -> str:
    digits = get_currency_precision(currency)
    return f"{Decimal(minor) / (10**digits):.{digits}f}"
