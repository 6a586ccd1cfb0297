"""The privacy notice: facts gathered from what Meridian knows and does.

`build(tenant)` returns a `Notice`; templates/site/privacy.html writes the sentences.
Everything that differs by country (the law, how health information is treated, how
fast a request is answered, where to complain) is in COUNTRIES; everything that
differs by clinic comes from its rows (name, address, contact e-mail, retention).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from ..engagement.likes import COOKIE as LIKE_COOKIE
from ..engagement.likes import COOKIE_MAX_AGE as LIKE_COOKIE_MAX_AGE
from ..extensions import db
from ..models import Location, PrivacyNotice, PrivacySettings, Tenant
from .retention import FIXED_DAYS
from .settings import settings_for
from .wording import wording


@dataclass(frozen=True)
class Country:
    code: str
    law: str
    #: How the reason for visit (health information) is treated, one sentence.
    health: str
    #: What gives the clinic the right to use each form's data ({form: sentence}).
    grounds: dict[str, str]
    #: What the law calls those reasons.
    basis_label: str
    respond_within: str
    rights: tuple[str, ...]
    regulator: str
    regulator_url: str
    regulator_phone: str
    overseas: str


COUNTRIES = {
    "GB": Country(
        code="GB",
        law="the UK General Data Protection Regulation (UK GDPR) and the Data Protection Act 2018",
        health=(
            "The reason for your visit is information about your health, a “special "
            "category” of data under UK GDPR. Giving it is optional; if you do, we use it "
            "only to prepare for your appointment, with your explicit consent (the box you "
            "tick when booking, Article 9(2)(a))."
        ),
        grounds={
            "booking": "to arrange the appointment you ask for (a contract with you, "
            "Article 6(1)(b) UK GDPR)",
            "comment": "your consent (Article 6(1)(a)): you choose to publish a comment",
            "subscribe": "your consent (Article 6(1)(a)), given twice: in the form and "
            "by the link we e-mail you",
            "contact": "our legitimate interest in answering people who write to us "
            "(Article 6(1)(f))",
            "request": "our legal obligation to answer your request (Article 6(1)(c))",
        },
        basis_label="Lawful basis",
        respond_within="one month",
        rights=(
            "get a copy of the information we hold about you",
            "have it corrected if it is wrong",
            "have it erased",
            "ask us to stop or limit using it, or object to how we use it",
            "take it to another provider in a common format",
            "withdraw your consent at any time (this does not undo what we did before)",
        ),
        regulator="the Information Commissioner’s Office (ICO)",
        regulator_url="https://ico.org.uk/make-a-complaint/",
        regulator_phone="0303 123 1113",
        overseas=(
            "If your information is stored outside the UK, it is only in a country the UK "
            "recognises as protecting it adequately, or under the UK’s approved contract "
            "terms."
        ),
    ),
    "NZ": Country(
        code="NZ",
        law="the Privacy Act 2020 and, because we provide a health service, the Health "
        "Information Privacy Code 2020",
        health=(
            "The reason for your visit is health information under the Health Information "
            "Privacy Code 2020. Giving it is optional; if you do, we collect it only to "
            "prepare for your appointment, keep it secure and use it for nothing else."
        ),
        grounds={
            "booking": "to arrange and manage the appointment you ask for",
            "comment": "to publish the comment you choose to write",
            "subscribe": "to send the articles you asked for, after you confirm by the "
            "link we e-mail you",
            "contact": "to answer your message",
            "request": "to answer your request, as the law requires",
        },
        basis_label="Purpose",
        respond_within="20 working days",
        rights=(
            "ask for a copy of the information we hold about you",
            "ask us to correct it, or to attach your statement if we do not agree",
            "ask us to delete it: we delete what we no longer need to keep",
        ),
        regulator="the Office of the Privacy Commissioner",
        regulator_url="https://www.privacy.org.nz/your-rights/making-a-complaint/",
        regulator_phone="0800 803 909",
        overseas=(
            "If your information is stored outside New Zealand, the platform is bound to "
            "protect it in ways comparable to New Zealand’s privacy law."
        ),
    ),
}

COUNTRY_NAMES = {"GB": "the United Kingdom", "NZ": "New Zealand"}


def country_for(tenant: Tenant) -> Country | None:
    """The clinic's country rules; None for a country Meridian has no notice for yet."""
    return COUNTRIES.get((tenant.country or "").upper())


@dataclass(frozen=True)
class Notice:
    tenant: Tenant
    country: Country | None
    location: Location | None
    contact_email: str
    retention: PrivacySettings
    fixed_days: dict[str, int]
    platform: str
    mail_service: str
    data_location: str
    stored_abroad: bool
    session_cookie: str
    like_cookie: str
    like_cookie_days: int
    #: Where a visitor asks for a copy, a correction or erasure (a path on the site).
    request_url: str
    #: The words beside the booking form's consent box.
    booking_wording: str
    #: The version shown (None: the clinic has published none yet).
    version: PrivacyNotice | None


def latest(tenant: Tenant) -> PrivacyNotice | None:
    """The version in force (the highest published number), if any."""
    return db.session.scalars(
        select(PrivacyNotice)
        .where(PrivacyNotice.tenant_id == tenant.id, PrivacyNotice.number.is_not(None))
        .order_by(PrivacyNotice.number.desc())
        .limit(1)
    ).first()


_IN_FORCE = object()


def build(tenant: Tenant, version: PrivacyNotice | None | object = _IN_FORCE) -> Notice:
    """The notice's facts; under `version` (default: the one in force)."""
    config = current_app.config
    location = tenant.primary_location
    emails = [place.email for place in tenant.locations if place.email]
    data_country = (config["PRIVACY_DATA_COUNTRY"] or "").upper()
    return Notice(
        tenant=tenant,
        country=country_for(tenant),
        location=location,
        contact_email=emails[0] if emails else "",
        retention=settings_for(tenant),
        fixed_days=dict(FIXED_DAYS),
        platform=config["PRIVACY_PLATFORM"],
        mail_service=config["PRIVACY_MAIL_SERVICE"],
        data_location=config["PRIVACY_DATA_LOCATION"],
        stored_abroad=bool(data_country) and data_country != (tenant.country or "").upper(),
        session_cookie=config["SESSION_COOKIE_NAME"],
        like_cookie=LIKE_COOKIE,
        like_cookie_days=LIKE_COOKIE_MAX_AGE // 86_400,
        request_url=current_app.url_map.bind(tenant.primary_host or "localhost").build(
            "privacy.request_form"
        ),
        booking_wording=wording("booking", tenant),
        version=latest(tenant) if version is _IN_FORCE else version,  # type: ignore[arg-type]
    )
