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


@dataclass(frozen=True)
class AuditPage:
    """One page of one clinic: `path` may use {post} and {location}."""

    name: str
    path: str
    endpoint: str = ""
    status: int = 200
    #: Steps a test runs before auditing (e.g. submit an empty form to show its errors).
    setup: tuple[str, ...] = field(default=())

    def url_path(self, clinic: str) -> str:
        return self.path.format(post=SAMPLE_POST[clinic], location=SAMPLE_LOCATION[clinic])


PUBLIC_PAGES = [
    AuditPage("home", "/", "index"),
    AuditPage("blog", "/blog", "site.blog"),
    AuditPage("post", "/blog/{post}", "site.post"),
    AuditPage("faq", "/faq", "site.faq"),
    AuditPage("contact", "/contact", "site.contact"),
    AuditPage("location", "/contact/{location}", "site.location"),
    AuditPage("not-found", "/no-such-page", "index", status=404),
]

BOOKING_PAGES: list[AuditPage] = [AuditPage("booking", "/book", "booking.start")]

#: Pages of the accounts work (issue 13) shown before signing in, in the clinic's brand.
ACCOUNT_PAGES: list[AuditPage] = [AuditPage("studio-sign-in", "/studio/sign-in", "studio.sign_in")]

AUDIT_PAGES = PUBLIC_PAGES + BOOKING_PAGES + ACCOUNT_PAGES

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
    ]


def no_photo_params():
    """(theme, page) pairs for the clinic without photographs."""
    import pytest

    return [
        pytest.param(theme, page, id=f"{theme}-{page.name}")
        for theme in THEMES
        for page in PHOTO_PAGES
    ]
