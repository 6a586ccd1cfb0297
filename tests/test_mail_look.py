"""HTML e-mails in the clinic's look (issue 19): its name, colour and logo, a plain-text
alternative kept, dark mode, no health data, and mail clients' limits (no SVG logo)."""

from __future__ import annotations

import email
import email.policy
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from meridian import mail
from meridian.content.brand import contrast
from meridian.extensions import db
from meridian.models import OutboxMessage, Service, Tenant
from meridian.outbox import build_email

REASON = "haemorrhoids-and-anxiety-7731"


def _visitor_mail(app, demo, slug: str, template: str = "booking_confirmed", **extra):
    """A visitor e-mail of a demo clinic, rendered as the booking views do."""
    with app.test_request_context():
        tenant = db.session.scalars(select(Tenant).filter_by(slug=slug)).one()
        location = tenant.primary_location
        service = next(iter(_services(tenant)))
        # What the templates read of a booking (a stand-in: nothing is saved).
        booking = SimpleNamespace(
            reference="ABC123",
            client_name="Ada Lovelace",
            reason=REASON,
            location=location,
            service=service,
            practitioner=None,
        )
        context = {
            "when": "Monday 7 December at 10:00",
            "reschedule_url": "https://x.test/book/reschedule/t",
            "cancel_url": "https://x.test/book/cancel/t",
            "book_url": "https://x.test/book",
        } | extra
        subject, text, html = mail.render(template, tenant=tenant, booking=booking, **context)
        return tenant, subject, text, html


def _services(tenant: Tenant):
    return db.session.scalars(select(Service).filter_by(tenant_id=tenant.id))


@pytest.mark.parametrize("slug", ["acute-acupuncture", "zak-clinic"])
@pytest.mark.parametrize("template", ["booking_confirmed", "booking_cancelled"])
def test_visitor_mail_wears_the_clinic_colours_logo_and_address(app, demo, slug, template):
    tenant, subject, text, html = _visitor_mail(app, demo, slug, template)
    assert html is not None and text.startswith("Hello Ada Lovelace")
    assert tenant.brand_primary in html  # the band and the buttons
    # The logo as a PNG beside the bundle's SVG (mail clients show no SVG), on the
    # clinic's own host, with its size so the layout does not jump.
    logo = re.search(r'<img src="([^"]+)" alt="([^"]+)" width="(\d+)" height="(\d+)"', html)
    assert logo is not None, "no logo"
    assert logo[1] == f"http://{tenant.primary_host}/brand/logo.png" and logo[2] == tenant.name
    assert int(logo[4]) == mail.LOGO_HEIGHT and int(logo[3]) > int(logo[4])
    assert tenant.primary_location.address_lines[0] in html  # the footer
    assert 'name="color-scheme" content="light dark"' in html
    assert "prefers-color-scheme: dark" in html
    assert REASON not in html and REASON not in text


def test_dark_mode_link_colour_reads_on_the_dark_card(app, demo):
    with app.app_context():
        tenant = db.session.scalars(select(Tenant).filter_by(slug="zak-clinic")).one()
        look = mail.look(tenant)
    assert contrast(tenant.brand_primary, mail.DARK_CARD) < 4.5  # a dark navy would not
    assert contrast(look["on_dark"], mail.DARK_CARD) >= 4.5
    assert contrast("#ffffff", look["primary"]) >= 4.5  # button text


def test_a_clinic_without_a_raster_logo_gets_its_name_as_a_wordmark(app, make_tenant):
    tenant = make_tenant("clinic-a", name="Plain Clinic", logo="logo.svg", brand_primary="#224466")
    with app.app_context():
        row = db.session.get(Tenant, tenant.id)
        look = mail.look(row)
        assert look["logo_url"] is None  # no tenants/clinic-a/static/logo.png
        with app.test_request_context():
            _, _, html = mail.render(
                "subscribe_already", tenant=row, booking=None, unsubscribe_url="https://u.test"
            )
    assert html is not None and "<img" not in html
    assert ">Plain Clinic</span>" in html and "#224466" in html


def test_the_sent_message_keeps_text_first_and_html_as_alternative(app, demo):
    with app.test_request_context():
        tenant = db.session.scalars(select(Tenant).filter_by(slug="zak-clinic")).one()
        message = mail.queue(
            tenant,
            "test",
            "ada@example.com",
            "subscribe_confirm",
            confirm_url="https://z.test/c",
            unsubscribe_url="https://z.test/u",
        )
        db.session.commit()
        row = db.session.get(OutboxMessage, message.id)
        raw = bytes(build_email(row, tenant.name))
    out = email.message_from_bytes(raw, policy=email.policy.default)
    parts = [part.get_content_type() for part in out.walk()]
    assert parts[:3] == ["multipart/alternative", "text/plain", "text/html"]
    assert "Confirm your subscription" in out.get_body(("html",)).get_content()
    assert "https://z.test/c" in out.get_body(("plain",)).get_content()
