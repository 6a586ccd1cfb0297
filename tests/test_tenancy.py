"""The tenant comes from the Host header alone; unknown and suspended hosts fail closed."""

from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import select

from meridian.extensions import db
from meridian.models import Post
from meridian.tenancy import normalise_host


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Zak-Clinic.localhost:5000", "zak-clinic.localhost"),
        ("zak-clinic.localhost.", "zak-clinic.localhost"),
        ("EXAMPLE.com", "example.com"),
        ("[::1]:5000", "::1"),
        ("localhost", "localhost"),
    ],
)
def test_normalise_host(raw, expected):
    assert normalise_host(raw) == expected


def test_each_host_serves_its_own_clinic(demo, client_for):
    acute = client_for("acute-acupuncture.localhost").get("/")
    zak = client_for("zak-clinic.localhost").get("/")
    assert acute.status_code == zak.status_code == 200
    assert "163 The Terrace" in acute.text and "Acute Acupuncture" in acute.text
    assert "Warwick Way" not in acute.text
    assert "34-36 Warwick Way" in zak.text and "Zak Clinic" in zak.text
    assert "The Terrace" not in zak.text


def test_host_with_port_and_upper_case_resolves(demo, client_for):
    response = client_for("ZAK-CLINIC.localhost:5000").get("/faq")
    assert response.status_code == 200
    assert "Zak Clinic" in response.text


def test_unknown_host_is_404_not_a_default_tenant(demo, client_for):
    response = client_for("unknown.example").get("/")
    assert response.status_code == 404
    assert "Zak Clinic" not in response.text and "Acute Acupuncture" not in response.text


@pytest.mark.parametrize("header", ["X-Forwarded-Host", "X-Host", "X-Original-Host", "Forwarded"])
def test_no_header_other_than_host_selects_a_tenant(demo, client_for, header):
    value = "host=zak-clinic.localhost" if header == "Forwarded" else "zak-clinic.localhost"
    unknown = client_for("unknown.example").get("/", headers={header: value})
    assert unknown.status_code == 404
    acute = client_for("acute-acupuncture.localhost").get("/", headers={header: value})
    assert "Acute Acupuncture" in acute.text and "Warwick Way" not in acute.text


def test_forwarded_host_is_ignored_even_behind_a_trusted_proxy(demo, make_app, client_for):
    proxied = make_app(PROXY_COUNT=1)
    headers = {"X-Forwarded-Host": "zak-clinic.localhost", "X-Forwarded-Proto": "https"}
    assert client_for("unknown.example", proxied).get("/", headers=headers).status_code == 404
    acute = client_for("acute-acupuncture.localhost", proxied).get("/", headers=headers)
    assert "Acute Acupuncture" in acute.text and "Warwick Way" not in acute.text


def test_query_parameter_never_selects_a_tenant(demo, client_for):
    response = client_for("unknown.example").get("/?tenant=zak-clinic")
    assert response.status_code == 404


def test_suspended_clinic_answers_503(make_tenant, client_for):
    tenant = make_tenant("sleepy", status="suspended", name="Sleepy Clinic")
    response = client_for(tenant).get("/")
    assert response.status_code == 503
    assert "temporarily unavailable" in response.text.lower()
    # Branded with its name and theme, but nothing else of the clinic: no contact
    # details and no links into its (unavailable) pages.
    assert "<title>Temporarily unavailable — Sleepy Clinic</title>" in response.text
    assert "/static/themes/calm/theme.css" in response.text
    assert "tel:" not in response.text and "/blog" not in response.text
    assert "1 High Street" not in response.text


def test_platform_host_lists_both_clinics_with_links(demo, client_for):
    response = client_for("localhost").get("/")
    assert response.status_code == 200
    assert "Acute Acupuncture" in response.text and "Zak Clinic" in response.text
    assert 'href="http://zak-clinic.localhost/"' in response.text
    assert "Islington" in response.text  # locations are listed too


def test_platform_host_does_not_serve_clinic_pages(demo, client_for):
    assert client_for("localhost").get("/blog").status_code == 404
    assert client_for("localhost").get("/faq").status_code == 404


def test_guard_limits_unfiltered_selects_to_the_active_tenant(app, make_tenant, make_post):
    a, b = make_tenant("clinic-a"), make_tenant("clinic-b")
    make_post(a, "a-post")
    make_post(b, "b-post")
    with app.test_request_context(base_url="http://clinic-a.test"):
        g.tenant = a
        slugs = db.session.scalars(select(Post.slug)).all()  # no tenant filter written here
        assert slugs == ["a-post"]
        every = db.session.scalars(select(Post.slug).execution_options(all_tenants=True)).all()
        assert sorted(every) == ["a-post", "b-post"]


def test_guard_limits_orm_updates_and_deletes_to_the_active_tenant(app, make_tenant, make_post):
    from sqlalchemy import delete, update

    a, b = make_tenant("clinic-a"), make_tenant("clinic-b")
    make_post(a, "a-post")
    make_post(b, "b-post")
    with app.test_request_context():
        g.tenant = a
        assert db.session.execute(update(Post).values(author="changed")).rowcount == 1
        assert db.session.execute(delete(Post)).rowcount == 1
        db.session.commit()
        g.tenant = None
        left = db.session.execute(select(Post.slug, Post.author)).all()
    assert left == [("b-post", "")]


def test_bulk_changes_bump_the_content_version(app, make_tenant, make_post):
    from sqlalchemy import update

    from meridian.models import Tenant

    a = make_tenant("clinic-a")
    make_tenant("clinic-b")
    make_post(a, "a-post")

    def versions() -> dict[str, int]:
        db.session.expire_all()
        return dict(db.session.execute(select(Tenant.slug, Tenant.content_version)).all())

    with app.test_request_context():
        before = versions()
        g.tenant = a
        db.session.execute(update(Post).values(title="Bulk edit"))
        db.session.commit()
        g.tenant = None
        after_scoped = versions()
        assert after_scoped["clinic-a"] == before["clinic-a"] + 1
        assert after_scoped["clinic-b"] == before["clinic-b"]
        # Without an active tenant (a CLI job), every clinic's cache is invalidated.
        db.session.execute(update(Post).values(title="Platform-wide edit"))
        db.session.commit()
        after_global = versions()
        assert all(after_global[slug] == after_scoped[slug] + 1 for slug in after_global)


@pytest.mark.parametrize("host", ["clinic-a.test..", "bad host", "exa mple.com:80"])
def test_malformed_host_gets_a_plain_400_with_security_headers(make_app, make_tenant, host):
    make_tenant("clinic-a")
    production = make_app(
        TESTING=False, PROPAGATE_EXCEPTIONS=False, SECRET_KEY="0123456789abcdef" * 4
    )
    response = production.test_client().get("/", environ_overrides={"HTTP_HOST": host})
    assert response.status_code in (400, 404)
    assert "Traceback" not in response.text
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
