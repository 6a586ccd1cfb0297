"""The pages every audit (browser journeys, axe, Nu HTML Checker) visits.

Add a page here and every audit covers it. The booking flow adds its pages below
(see BOOKING_PAGES) once the `booking` blueprint exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CLINICS = {
    "acute-acupuncture": "acute-acupuncture.localhost",
    "zak-clinic": "zak-clinic.localhost",
}

#: A published post of each demo clinic (from tenants/<slug>/posts/).
SAMPLE_POST = {
    "acute-acupuncture": "acupuncture-for-lower-back-pain",
    "zak-clinic": "can-acupuncture-help-with-dry-eye",
}


#: A practitioner of each demo clinic (from tenants/<slug>/tenant.toml).
SAMPLE_PRACTITIONER = {
    "acute-acupuncture": "aroha-ngata",
    "zak-clinic": "samira-haddad",
}


@dataclass(frozen=True)
class AuditPage:
    """One page of one clinic: `path` may use {post} and {practitioner}; `endpoint`
    must be registered."""

    name: str
    path: str
    endpoint: str = ""
    #: Steps a test runs before auditing (e.g. submit an empty form to show its errors).
    setup: tuple[str, ...] = field(default=())

    def url_path(self, clinic: str) -> str:
        return self.path.format(post=SAMPLE_POST[clinic], practitioner=SAMPLE_PRACTITIONER[clinic])


PUBLIC_PAGES = [
    AuditPage("home", "/", "index"),
    AuditPage("blog", "/blog", "site.blog"),
    AuditPage("post", "/blog/{post}", "site.post"),
    AuditPage("faq", "/faq", "site.faq"),
    AuditPage("contact", "/contact", "site.contact"),
    AuditPage("team", "/team", "site.team"),
    AuditPage("practitioner", "/team/{practitioner}", "site.practitioner"),
]

# --- BOOKING: add the booking pages here when the `booking` blueprint lands (issue 3) ---
# e.g. AuditPage("booking", "/book", "booking.start"),
#      AuditPage("booking-errors", "/book", "booking.start", setup=("submit-empty",)),
# Pages whose endpoint is not registered are skipped with a reason, not silently.
BOOKING_PAGES: list[AuditPage] = [AuditPage("booking", "/book", "booking.start")]

#: Pages of the accounts work (issue 13) shown before signing in, in the clinic's brand.
ACCOUNT_PAGES: list[AuditPage] = [AuditPage("studio-sign-in", "/studio/sign-in", "studio.sign_in")]

# Readers' forms (engagement): the pages reachable by a plain GET. The pages behind a
# token (confirm, unsubscribe) and the forms' error states are audited in
# tests/browser/test_engagement_browser.py.
ENGAGEMENT_PAGES: list[AuditPage] = [
    AuditPage("subscribe", "/subscribe", "engagement.subscribe"),
    AuditPage("subscribe-sent", "/subscribe/sent", "engagement.subscribe_sent"),
    AuditPage("comment-thanks", "/comments/{post}/thanks", "engagement.comment_thanks"),
    AuditPage("message-sent", "/message/sent", "engagement.message_sent"),
]

AUDIT_PAGES = PUBLIC_PAGES + BOOKING_PAGES + ACCOUNT_PAGES + ENGAGEMENT_PAGES


def audit_params():
    """(clinic, page) pairs with readable ids, for pytest.mark.parametrize."""
    import pytest

    return [
        pytest.param(clinic, page, id=f"{clinic}-{page.name}")
        for clinic in CLINICS
        for page in AUDIT_PAGES
    ]
