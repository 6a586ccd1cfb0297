"""Booking rules found from the outside: one mailbox is one client, however written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from meridian.booking.identity import canonical_email
from meridian.extensions import db
from meridian.models import Booking, NewClientClaim


def count(model) -> int:
    return db.session.scalar(
        select(func.count()).select_from(model).execution_options(all_tenants=True)
    )


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("First.Last@gmail.com", "firstlast@gmail.com"),
        ("firstlast@googlemail.com", "firstlast@gmail.com"),
        ("first.last+again@gmail.com", "firstlast@gmail.com"),
        ("F.I.R.S.T.L.A.S.T+x+y@GoogleMail.com", "firstlast@gmail.com"),
        ("ada+clinic@outlook.com", "ada@outlook.com"),
        ("a.b@outlook.com", "a.b@outlook.com"),  # Outlook keeps dots
        ("A.B+tag@Example.com", "a.b+tag@example.com"),  # unknown provider: case only
        ("jose@Bücher.example", "jose@xn--bcher-kva.example"),
    ],
)
def test_canonical_email(raw, canonical):
    assert canonical_email(raw) == canonical


@pytest.mark.parametrize(
    "second_email",
    ["First.Last@gmail.com", "firstlast@googlemail.com", "first.last+again@gmail.com"],
)
def test_new_clients_only_sees_one_mailbox_written_differently(
    app, make_tenant, make_service, next_free, book_via_http, second_email
):
    tenant = make_tenant()
    free = make_service(tenant, "free-consultation", new_clients_only=True)
    first = book_via_http(tenant, free, next_free(tenant, free, 0), email="firstlast@gmail.com")
    assert first.status_code == 303
    again = book_via_http(
        tenant, free, next_free(tenant, free, 8), email=second_email, phone="020 7946 0999"
    )
    assert again.status_code == 422 and "for new clients" in again.text
    with app.app_context():
        assert count(Booking) == 1
        claims = set(db.session.scalars(select(NewClientClaim.value)))
        assert "firstlast@gmail.com" in claims


def test_new_clients_only_sees_one_phone_written_differently(
    app, make_tenant, make_service, next_free, book_via_http
):
    tenant = make_tenant()
    free = make_service(tenant, "free-consultation", new_clients_only=True)
    assert book_via_http(tenant, free, next_free(tenant, free, 0)).status_code == 303
    again = book_via_http(
        tenant,
        free,
        next_free(tenant, free, 8),
        email="other@example.com",
        phone="+44 20 7946 0018",
    )
    assert again.status_code == 422 and "for new clients" in again.text
    with app.app_context():
        assert count(Booking) == 1


def test_the_migration_canonicalises_claims_like_the_app():
    """The migration that rewrote stored claims froze a copy of the rule: they agree."""
    import importlib.util
    from pathlib import Path

    path = next((Path(__file__).parents[1] / "migrations/versions").glob("f93f2d1b4a21_*.py"))
    spec = importlib.util.spec_from_file_location("canonical_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for raw in ("First.Last@gmail.com", "a.b+x@googlemail.com", "x+y@outlook.com", "Q@Ex.org"):
        assert module._canonical(raw.lower()) == canonical_email(raw)
