"""Onboarding a clinic from the console: a form (one page, works without JavaScript), or a
bundle ZIP. Either way the clinic is written by the bundle loader, so the rules for a
clinic's content live once (meridian.bundles), and it serves at once on its platform
address (`<slug>.<CLINIC_HOST_SUFFIX>`, verified: the platform controls that name); any
domain of the clinic's own is added pending until its DNS record is verified.
The owner gets an invitation e-mail (outbox) with a link on the clinic's own host.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from .. import domains, mail
from ..auth import audit
from ..auth.access import platform_admin_required
from ..bundles.fields import BundleError
from ..bundles.loader import BundleLoader
from ..content.brand import COLOUR, contrast
from ..extensions import db
from ..models import WEEKDAYS, Tenant, User
from ..studio.staff import send_invitation
from . import bp

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
LOCALES = {
    "en_GB": "English (United Kingdom)",
    "en_NZ": "English (New Zealand)",
    "en_AU": "English (Australia)",
    "en_IE": "English (Ireland)",
    "en_CA": "English (Canada)",
    "en_US": "English (United States)",
}
CURRENCIES = {
    "GBP": "Pound sterling (GBP)",
    "NZD": "New Zealand dollar (NZD)",
    "AUD": "Australian dollar (AUD)",
    "EUR": "Euro (EUR)",
    "CAD": "Canadian dollar (CAD)",
    "USD": "US dollar (USD)",
}
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
#: The biggest bundle ZIP accepted, unpacked (the request itself is capped by
#: MAX_CONTENT_LENGTH).
BUNDLE_MAX_BYTES = 50 * 1024 * 1024
BUNDLE_MAX_FILES = 2000


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:63].strip("-")


def platform_address(slug: str) -> str:
    return f"{slug}.{current_app.config['CLINIC_HOST_SUFFIX']}"


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _colour(form, field) -> None:
    if not COLOUR.match(field.data or ""):
        raise ValidationError("Use a colour like #1f4e5f.")
    if contrast(field.data, "#ffffff") < 4.5:
        raise ValidationError(
            "White text on this colour is hard to read (WCAG AA needs 4.5:1); choose a darker one."
        )


class OnboardForm(FlaskForm):
    name = StringField(
        "Clinic name",
        validators=[DataRequired("Enter the clinic's name."), Length(max=120)],
    )
    slug = StringField(
        "Short name (slug)",
        validators=[
            DataRequired("Enter a short name, like harbour-physio."),
            Regexp(
                SLUG, message="Use lower-case letters, digits and hyphens, like harbour-physio."
            ),
        ],
    )
    other_domains = TextAreaField(
        "The clinic's own domains (optional, one per line)", validators=[Length(max=2000)]
    )
    locale = SelectField(
        "Language and formats",
        choices=[SelectChoice(k, v) for k, v in LOCALES.items()],
        default="en_GB",
    )
    currency = SelectField(
        "Currency", choices=[SelectChoice(k, v) for k, v in CURRENCIES.items()], default="GBP"
    )
    location_name = StringField(
        "Location name", validators=[DataRequired("Name the first location."), Length(max=120)]
    )
    street = StringField(
        "Street address", validators=[DataRequired("Enter the street address."), Length(max=200)]
    )
    city = StringField("Town or city", validators=[DataRequired("Enter the town."), Length(max=80)])
    postcode = StringField("Postcode", validators=[Optional(), Length(max=20)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    timezone = SelectField("Time zone", default="Europe/London")
    days = MultiCheckboxField(
        "Open on",
        choices=[SelectChoice(k, v) for k, v in zip(WEEKDAYS, DAY_NAMES, strict=True)],
        default=list(WEEKDAYS[:5]),
        validators=[DataRequired("Choose at least one day.")],
    )
    opens = TimeField("Opens at", validators=[DataRequired("Enter an opening time, like 09:00.")])
    closes = TimeField("Closes at", validators=[DataRequired("Enter a closing time, like 17:00.")])
    practitioner = StringField(
        "First practitioner's name",
        validators=[DataRequired("Enter who sees clients."), Length(max=120)],
    )
    service_name = StringField(
        "First service",
        default="Initial appointment",
        validators=[DataRequired("Name the first service."), Length(max=120)],
    )
    service_minutes = IntegerField(
        "Its length in minutes",
        default=60,
        validators=[
            DataRequired("Enter a length in minutes."),
            NumberRange(5, 480, "Between 5 and 480 minutes."),
        ],
    )
    service_price = DecimalField(
        "Its price",
        places=2,
        default=Decimal("60.00"),
        validators=[
            DataRequired("Enter a price (0 if free)."),
            NumberRange(0, 100000, "Enter a price between 0 and 100000."),
        ],
    )
    free_consultation = BooleanField("Also offer a free 15-minute consultation", default=True)
    brand_primary = StringField("Main colour", default="#1f4e5f", validators=[_colour])
    brand_accent = StringField("Accent colour", default="#9c3d1f", validators=[_colour])
    owner_email = EmailField(
        "Owner's e-mail",
        validators=[
            DataRequired("Enter the owner's e-mail address."),
            Length(max=254),
            Email("Please enter a valid e-mail address.", check_deliverability=False),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = [SelectChoice(z, z) for z in sorted(available_timezones())]
        self.parsed_domains: list[str] = []

    def validate_slug(self, field) -> None:
        taken = db.session.scalars(select(Tenant.id).where(Tenant.slug == field.data)).first()
        if taken is not None:
            raise ValidationError("Another clinic already has this short name.")
        # Its templates and /brand files would be served for the new clinic (a deleted
        # clinic's folder stays on the server, and a bundle folder waits to be onboarded).
        folder = Path(current_app.config["TENANTS_DIR"]) / field.data
        if SLUG.match(field.data or "") and folder.exists():
            raise ValidationError(
                "The server has a bundle folder with this short name: choose another, or "
                "onboard that folder below."
            )
        try:
            host = domains.normalise_hostname(platform_address(field.data))
        except domains.DomainError as problem:
            raise ValidationError(str(problem)) from problem
        if domains.hostname_taken(host):
            raise ValidationError(f"{host} is already in use on Meridian.")

    def validate_other_domains(self, field) -> None:
        found: list[str] = []
        for line in (field.data or "").splitlines():
            if not line.strip():
                continue
            try:
                host = domains.normalise_hostname(line)
            except domains.DomainError as problem:
                raise ValidationError(f"{line.strip()}: {problem}") from problem
            if domains.hostname_taken(host) or (
                self.slug.data and host == platform_address(self.slug.data)
            ):
                raise ValidationError(f"{host} is already in use on Meridian.")
            if host not in found:
                found.append(host)
        self.parsed_domains = found

    def validate_closes(self, field) -> None:
        if self.opens.data and field.data and field.data <= self.opens.data:
            raise ValidationError("Closing time must be after opening time.")

    def validate_owner_email(self, field) -> None:
        try:
            field.data = mail.address(field.data).lower()
        except mail.AddressError as error:
            raise ValidationError(str(error)) from error


class BundleForm(FlaskForm):
    folder = SelectField("A bundle folder on the server", default="")
    bundle = FileField(
        "Or a bundle ZIP (a clinic folder with its tenant.toml)",
        validators=[FileAllowed(["zip"], "Choose a .zip file.")],
    )
    owner_email = EmailField(
        "Owner's e-mail (optional: they get an invitation)",
        validators=[
            Optional(),
            Length(max=254),
            Email("Please enter a valid e-mail address.", check_deliverability=False),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.folder.choices = [SelectChoice("", "(none: upload a ZIP)")] + [
            SelectChoice(name, name) for name in unloaded_folders()
        ]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and bool(self.folder.data) == bool(self.bundle.data):
            self.bundle.errors.append("Choose a folder or a ZIP file (one of them).")
            return False
        return ok


def unloaded_folders() -> list[str]:
    """Bundle folders in TENANTS_DIR whose clinic is not on the platform yet."""
    root = Path(current_app.config["TENANTS_DIR"])
    if not root.is_dir():
        return []
    slugs = set(db.session.scalars(select(Tenant.slug)))
    return sorted(
        p.name
        for p in root.iterdir()
        if p.is_dir() and (p / "tenant.toml").is_file() and p.name not in slugs
    )


def manifest(form: OnboardForm) -> dict[str, Any]:
    """The form as a bundle manifest (what tenant.toml would say), with default pages that
    say true, useful things about this clinic and nothing made up."""
    name = form.name.data.strip()
    slug = form.slug.data
    city = form.city.data.strip()
    location_name = form.location_name.data.strip()
    free = bool(form.free_consultation.data)
    span = f"{form.opens.data:%H:%M}-{form.closes.data:%H:%M}"
    hours = {day: ([span] if day in form.days.data else []) for day in WEEKDAYS}
    location_slug = slugify(location_name) or "main"
    service = form.service_name.data.strip()
    services = []
    if free:
        services.append(
            {
                "slug": "free-consultation",
                "name": "Free 15-minute consultation",
                "description": "A short conversation about what brings you in and whether "
                "we can help, before you book a full appointment.",
                "duration_minutes": 15,
                "price": "0",
            }
        )
    services.append(
        {
            "slug": slugify(service) or "appointment",
            "name": service,
            "description": "",
            "duration_minutes": form.service_minutes.data,
            "price": str(form.service_price.data),
        }
    )
    address = ", ".join(
        part
        for part in (form.street.data.strip(), city, (form.postcode.data or "").strip())
        if part
    )
    about = (
        f"{name} welcomes you at {location_name}, {address}. Our opening hours are below, "
        "and you can book an appointment online at any time."
    )
    if free:
        about += (
            "\n\nNot sure where to start? Book a free 15-minute consultation and we will talk "
            "it through with you."
        )
    cta = (
        "Book a free 15-minute consultation to find out whether we can help."
        if free
        else f"Book your {service.lower()} online."
    )
    faqs = [
        {
            "question": "How do I book an appointment?",
            "answer": "Choose a service and a time on our booking page. You will get a "
            "confirmation by e-mail straight away.",
        },
        {
            "question": "Where are you?",
            "answer": f"{location_name}, {address}.",
        },
        {
            "question": "Can I change or cancel my appointment?",
            "answer": "Yes: your confirmation e-mail has a link to change or cancel it, up to "
            "24 hours before the appointment. After that, please phone us.",
        },
    ]
    return {
        "slug": slug,
        "name": name,
        "tagline": f"{service} in {city}",
        "about": about,
        "cta": cta,
        "locale": form.locale.data,
        "currency": form.currency.data,
        "country": form.locale.data.split("_")[1],
        "brand": {"primary": form.brand_primary.data, "accent": form.brand_accent.data},
        "domains": {"primary": platform_address(slug), "aliases": []},
        "locations": [
            {
                "slug": location_slug,
                "name": location_name,
                "street": form.street.data.strip(),
                "city": city,
                "postcode": (form.postcode.data or "").strip(),
                "phone": (form.phone.data or "").strip(),
                "country": form.locale.data.split("_")[1],
                "timezone": form.timezone.data,
                "hours": hours,
            }
        ],
        "services": services,
        "practitioners": [
            {
                "slug": slugify(form.practitioner.data) or "practitioner",
                "name": form.practitioner.data.strip(),
                "hours": {location_slug: hours},
            }
        ],
        "faqs": faqs,
    }


@dataclass
class Onboarded:
    tenant: Tenant
    pending: list[str] = field(default_factory=list)
    invited: str = ""


def _admin() -> User:
    return db.session.get(User, current_user.id)


def _finish(tenant: Tenant, extra_domains: list[str], owner_email: str, how: str) -> Onboarded:
    """After the loader wrote the clinic: its own domains pending, the owner invited, the
    audit event; one commit."""
    done = Onboarded(tenant=tenant)
    for host in extra_domains:
        done.pending.append(domains.add_pending(tenant, host).hostname)
    admin = _admin()
    if owner_email:
        send_invitation(tenant, owner_email, "owner", admin)
        done.invited = owner_email
    audit.record(
        "clinic.onboarded",
        actor=admin,
        target=tenant.slug,
        tenant=tenant,
        how=how,
        owner=owner_email,
    )
    db.session.commit()
    return done


def _flash(done: Onboarded) -> None:
    tenant = done.tenant
    message = f"{tenant.name} is live at {tenant.primary_host}."
    if done.pending:
        message += f" Verify {', '.join(done.pending)} once its DNS record is published."
    if done.invited:
        message += f" An invitation is on its way to {done.invited}."
    flash(message)


def _page(form: OnboardForm | None = None, bundle_form: BundleForm | None = None, status=200):
    return (
        render_template(
            "admin/onboard.html",
            form=form or OnboardForm(),
            bundle_form=bundle_form or BundleForm(prefix="b"),
            suffix=current_app.config["CLINIC_HOST_SUFFIX"],
        ),
        status,
    )


@bp.get("/clinics/new")
@platform_admin_required
def onboard():
    return _page()


@bp.post("/clinics/new")
@platform_admin_required
def onboard_create():
    form = OnboardForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        loader = BundleLoader(Path(tempfile.gettempdir()) / "meridian-no-bundle")
        loader.apply(manifest(form), commit=False)
    except BundleError as problem:  # the form checks first; this is a last guard
        db.session.rollback()
        form.name.errors.append(f"The clinic could not be created: {problem}")
        return _page(form, status=422)
    tenant = db.session.scalars(select(Tenant).where(Tenant.slug == form.slug.data)).one()
    done = _finish(tenant, form.parsed_domains, form.owner_email.data, "form")
    _flash(done)
    return redirect(url_for("admin.clinic", tenant_id=tenant.id))


def _unpack(upload, into: Path) -> Path:
    """Unpack a bundle ZIP safely (no paths outside `into`, no links, bounded size) and
    return the folder holding tenant.toml (the ZIP's root or its one top folder)."""
    try:
        archive = zipfile.ZipFile(upload)
    except zipfile.BadZipFile as exc:
        raise BundleError("This file is not a ZIP archive.") from exc
    with archive:
        members = archive.infolist()
        if len(members) > BUNDLE_MAX_FILES:
            raise BundleError(f"The ZIP holds more than {BUNDLE_MAX_FILES} files.")
        if sum(m.file_size for m in members) > BUNDLE_MAX_BYTES:
            raise BundleError("The ZIP is too big once unpacked (50 MB at most).")
        root = into.resolve()
        for member in members:
            target = (root / member.filename).resolve()
            if (
                not target.is_relative_to(root)
                or (member.external_attr >> 16) & 0o170000 == 0o120000
            ):
                raise BundleError(f"The ZIP holds an unsafe path: {member.filename}")
            if member.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, target.open("wb") as out:
                out.write(source.read(BUNDLE_MAX_BYTES + 1))
    if (root / "tenant.toml").is_file():
        return root
    folders = [p for p in root.iterdir() if p.is_dir() and (p / "tenant.toml").is_file()]
    if len(folders) != 1:
        raise BundleError("The ZIP must hold one clinic folder with a tenant.toml.")
    return folders[0]


def _load_folder(folder: Path, keep: bool) -> tuple[str, list[str]]:
    """Load a new clinic from a bundle folder. Its domains other than the platform address
    are returned to be added pending (DNS proves them); an existing clinic is never
    overwritten from here. `keep`: copy the folder into TENANTS_DIR (its static files and
    templates are served from there)."""
    data = tomllib.loads((folder / "tenant.toml").read_text(encoding="utf-8"))
    slug = str(data.get("slug", folder.name))
    if not SLUG.match(slug):
        raise BundleError(f"tenant.toml: slug {slug!r} is not a valid short name")
    if db.session.scalars(select(Tenant.id).where(Tenant.slug == slug)).first():
        raise BundleError(f"A clinic with the short name {slug} already exists.")
    home = Path(current_app.config["TENANTS_DIR"]) / slug
    if keep and home.exists():
        raise BundleError(f"The server already has a bundle folder named {slug}.")
    wanted = data.get("domains", {})
    address = domains.normalise_hostname(platform_address(slug))
    extra: list[str] = []
    for raw in [wanted.get("primary", "")] + list(wanted.get("aliases", [])):
        if not raw:
            continue
        host = domains.normalise_hostname(raw)
        if domains.hostname_taken(host):
            raise BundleError(f"{host} is already in use on Meridian.")
        if host != address and host not in extra:
            extra.append(host)
    if domains.hostname_taken(address):
        raise BundleError(f"{address} is already in use on Meridian.")
    data["domains"] = {"primary": address, "aliases": []}
    BundleLoader(folder).apply(data, commit=False)
    if keep:
        shutil.copytree(folder, home)
    return slug, extra


@bp.post("/clinics/new/bundle")
@platform_admin_required
def onboard_bundle():
    form = BundleForm(prefix="b")
    if not form.validate_on_submit():
        return _page(bundle_form=form, status=422)
    with tempfile.TemporaryDirectory(prefix="meridian-bundle-") as work:
        try:
            if form.folder.data:
                folder = Path(current_app.config["TENANTS_DIR"]) / form.folder.data
                slug, extra = _load_folder(folder, keep=False)
            else:
                try:
                    folder = _unpack(form.bundle.data.stream, Path(work))
                finally:
                    form.bundle.data.close()  # the upload's temporary file, at once
                slug, extra = _load_folder(folder, keep=True)
        except (BundleError, domains.DomainError, tomllib.TOMLDecodeError, UnicodeError) as problem:
            db.session.rollback()
            (form.folder if form.folder.data else form.bundle).errors.append(str(problem))
            return _page(bundle_form=form, status=422)
    tenant = db.session.scalars(select(Tenant).where(Tenant.slug == slug)).one()
    done = _finish(tenant, extra, (form.owner_email.data or "").lower(), "bundle")
    _flash(done)
    return redirect(url_for("admin.clinic", tenant_id=tenant.id))
