"""The contact form: kept for the studio inbox, announced to the clinic without the text."""

from __future__ import annotations

from sqlalchemy import select

from meridian.extensions import db
from meridian.models import ContactMessage, OutboxMessage
from meridian.outbox import build_email


def messages(app) -> list[ContactMessage]:
    with app.app_context():
        return list(db.session.scalars(select(ContactMessage)))


def data(stamp, tenant, **overrides):
    return {
        "name": "Ada Reader",
        "email": "Ada@Example.com",
        "phone": "",
        "body": "Can I bring my daughter to the first visit?",
        "homepage": "",
        "stamp": stamp(tenant, "contact"),
    } | overrides


def test_the_contact_page_has_the_form_and_the_urgent_note(clinic, client_for):
    html = client_for(clinic).get("/contact").text
    assert 'action="/message#message-heading"' in html
    assert "Not for urgent medical matters" in html
    assert 'href="tel:+442079460000"' in html


def test_a_message_is_kept_and_the_clinic_told_without_its_text(app, clinic, client_for, stamp):
    response = client_for(clinic).post("/message", data=data(stamp, clinic))
    assert response.status_code == 303 and response.headers["Location"].endswith("/message/sent")
    [message] = messages(app)
    assert (message.name, message.email, message.status) == (
        "Ada Reader",
        "Ada@example.com",
        "new",
    )
    with app.app_context():
        [mail] = db.session.scalars(select(OutboxMessage).filter_by(kind="contact-message"))
        assert mail.recipient == "hello@clinic-a.test"
        assert "daughter" not in mail.body_text and "daughter" not in (mail.body_html or "")
        assert f"/studio/messages/{message.id}" in mail.body_text
        email = build_email(mail, "Alpha Clinic")
    assert email["Reply-To"] == "Ada@example.com"


def test_bad_input_comes_back_on_the_contact_page_with_the_text_kept(
    app, clinic, client_for, stamp
):
    response = client_for(clinic).post(
        "/message", data=data(stamp, clinic, email="nope", name="A\r\nB")
    )
    assert response.status_code == 422
    assert "Please enter a valid e-mail address" in response.text
    assert "Please write this on one line." in response.text
    assert ">Can I bring my daughter to the first visit?</textarea>" in response.text
    assert "Contact Alpha Clinic" in response.text
    assert messages(app) == []


def test_refused_from_another_site_and_limited(
    app, clinic, client_for, stamp, limits_on, monkeypatch
):
    monkeypatch.setitem(app.config, "CONTACT_RATE_LIMIT", "2 per minute")
    client = client_for(clinic)
    foreign = client.post(
        "/message", data=data(stamp, clinic), headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    codes = [client.post("/message", data=data(stamp, clinic)).status_code for _ in range(3)]
    assert codes == [303, 303, 429]
    assert len(messages(app)) == 2
    assert client.post("/message", data=data(stamp, clinic, homepage="x")).status_code == 429
