"""The pages every audit (axe, Nu HTML Checker, journeys) visits, and the themes.

Add a page here and every audit covers it, in every theme of meridian/themes.py, for
both demo clinics. Pages whose endpoint is not registered are skipped with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from meridian.themes import THEMES

CLINICS = {
    "acute-acupuncture": "acute-acupuncture.localhost",
    "zak-clinic": "zak-clinic.localhost",
}

#: The theme each demo clinic wears in its bundle (tenant.toml): they differ.
DEMO_THEME = {"acute-acupuncture": "calm", "zak-clinic": "classic"}

#: A published post and a location of each demo clinic (from tenants/<slug>/).
SAMPLE_POST = {
    "acute-acupuncture": "acupuncture-for-lower-back-pain",
    "zak-clinic": "can-acupuncture-help-with-dry-eye",
}
SAMPLE_LOCATION = {"acute-acupuncture": "wellington-central", "zak-clinic": "pimlico"}


#: A practitioner of each demo clinic (from tenants/<slug>/tenant.toml).
SAMPLE_PRACTITIONER = {
    "acute-acupuncture": "aroha-ngata",
    "zak-clinic": "samira-haddad",
}


@dataclass(frozen=True)
class AuditPage:
    """One page of one clinic: `path` may use {post}, {location} and {practitioner};
    `endpoint` must be registered."""

    name: str
    path: str
    endpoint: str = ""
    status: int = 200
    #: Steps a test runs before auditing (e.g. submit an empty form to show its errors).
    setup: tuple[str, ...] = field(default=())
    #: Audit it signed in: a clinic role ("owner", "editor", "front_desk") or "admin".
    role: str | None = None

    def url_path(self, clinic: str) -> str:
        return self.path.format(
            post=SAMPLE_POST[clinic],
            location=SAMPLE_LOCATION[clinic],
            practitioner=SAMPLE_PRACTITIONER[clinic],
        )


PUBLIC_PAGES = [
    AuditPage("home", "/", "index"),
    AuditPage("blog", "/blog", "site.blog"),
    AuditPage("post", "/blog/{post}", "site.post"),
    AuditPage("faq", "/faq", "site.faq"),
    AuditPage("contact", "/contact", "site.contact"),
    AuditPage("location", "/contact/{location}", "site.location"),
    AuditPage("not-found", "/no-such-page", "index", status=404),
    AuditPage("team", "/team", "site.team"),
    AuditPage("practitioner", "/team/{practitioner}", "site.practitioner"),
    AuditPage("privacy", "/privacy", "site.privacy"),
]

BOOKING_PAGES: list[AuditPage] = [AuditPage("booking", "/book", "booking.start")]

#: Pages of the accounts work (issue 13), on each clinic's host, in its brand.
ACCOUNT_PAGES: list[AuditPage] = [
    AuditPage("studio-sign-in", "/studio/sign-in", "studio.sign_in"),
    AuditPage("studio-reset", "/studio/reset", "studio.request_reset"),
    AuditPage("studio-home", "/studio/", "studio.home", role="front_desk"),
    AuditPage("studio-staff", "/studio/staff", "studio.staff", role="owner"),
    AuditPage("studio-audit", "/studio/audit", "studio.audit", role="owner"),
    AuditPage("studio-account", "/studio/account", "studio.account", role="editor"),
    AuditPage("studio-privacy", "/studio/privacy", "studio.privacy", role="owner"),
    AuditPage("studio-requests", "/studio/requests", "studio.requests", role="front_desk"),
    AuditPage("studio-missing", "/studio/missing", "studio.missing", role="editor"),
]

#: The bookings desk (issue 16): the day sheet and the week calendar. A booking's page
#: needs a booking: tests/browser/test_desk_browser.py audits it after booking one.
DESK_PAGES: list[AuditPage] = [
    AuditPage("desk-day", "/studio/bookings", "studio.bookings", role="front_desk"),
    AuditPage("desk-week", "/studio/bookings?view=week", "studio.bookings", role="owner"),
]

#: Pages on the platform host (audited once, not per clinic).
PLATFORM_HOST = "localhost"
PLATFORM_PAGES: list[AuditPage] = [
    AuditPage("front-page", "/", "index"),
    AuditPage("admin-sign-in", "/admin/sign-in", "admin.sign_in"),
    AuditPage("admin-reset", "/admin/reset", "admin.request_reset"),
    AuditPage("admin-home", "/admin/", "admin.home", role="admin"),
    AuditPage("admin-audit", "/admin/audit", "admin.audit", role="admin"),
    AuditPage("admin-account", "/admin/account", "admin.account", role="admin"),
]

# Readers' forms (engagement): the pages reachable by a plain GET. The pages behind a
# token (confirm, unsubscribe) and the forms' error states are audited in
# tests/browser/test_engagement_browser.py.
ENGAGEMENT_PAGES: list[AuditPage] = [
    AuditPage("subscribe", "/subscribe", "engagement.subscribe"),
    AuditPage("subscribe-sent", "/subscribe/sent", "engagement.subscribe_sent"),
    AuditPage("comment-thanks", "/comments/{post}/thanks", "engagement.comment_thanks"),
    AuditPage("message-sent", "/message/sent", "engagement.message_sent"),
    AuditPage("privacy-request", "/privacy/request", "privacy.request_form"),
    AuditPage("privacy-request-sent", "/privacy/request/sent", "privacy.request_sent"),
]

AUDIT_PAGES = PUBLIC_PAGES + BOOKING_PAGES + ACCOUNT_PAGES + ENGAGEMENT_PAGES + DESK_PAGES

#: Audited in every theme; the others (sign-in, readers' forms' replies) in each demo
#: clinic's own theme only, to keep CI's time (they share the layout audited here).
THEMED_PAGES = PUBLIC_PAGES + BOOKING_PAGES

#: The pages where photographs appear: audited again for a clinic with none.
PHOTO_PAGES = [page for page in PUBLIC_PAGES if page.name in ("home", "blog", "post")]


def audit_params():
    """(clinic, theme, page) triples with readable ids, for pytest.mark.parametrize."""
    import pytest

    return [
        pytest.param(clinic, theme, page, id=f"{clinic}-{theme}-{page.name}")
        for theme in THEMES
        for clinic in CLINICS
        for page in AUDIT_PAGES
        if page in THEMED_PAGES or theme == DEMO_THEME[clinic]
    ] + [pytest.param(None, None, page, id=page.name) for page in PLATFORM_PAGES]


def host_of(clinic: str | None) -> str:
    return CLINICS[clinic] if clinic else PLATFORM_HOST


def session_cookie(app, clinic: str | None, role: str) -> str:
    """A signed-in session cookie for a new user with `role` at the demo clinic (or a
    platform admin), made as the sign-in would make it; for pages audited signed in."""
    from flask.testing import FlaskClient
    from sqlalchemy import select

    from meridian.extensions import db
    from meridian.models import Tenant
    from tests.factories import build_member, build_user, plant_session

    host = host_of(clinic)
    with app.app_context():
        tenant = db.session.scalars(select(Tenant).where(Tenant.slug == clinic)).first()
        if tenant is not None:
            _ = tenant.domains
            db.session.expunge(tenant)
    from meridian.models import User

    email = f"admin@{host}.test" if role == "admin" else f"{role}@{clinic}.test"
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).first()
        if user is not None:
            db.session.expunge(user)
    if user is None and role == "admin":
        user = build_user(app, email, platform_admin=True)
    elif user is None:
        user = build_member(app, tenant, role, email=email)
    client = FlaskClient(app)
    plant_session(client, host, user, tenant if role != "admin" else None)
    return client.get_cookie("session", domain=host).value


def no_photo_params():
    """(theme, page) pairs for the clinic without photographs."""
    import pytest

    return [
        pytest.param(theme, page, id=f"{theme}-{page.name}")
        for theme in THEMES
        for page in PHOTO_PAGES
    ]
