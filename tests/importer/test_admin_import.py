"""The import from the admin console: a URL or a file, a dry run, the report, the audit."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from meridian.extensions import db
from meridian.models import AuditEvent, ImportRun, Post

from ..factories import row_counts
from .fixtures import WixPost, png, serve_wix, wxr


@pytest.fixture
def clinic(make_tenant):
    return make_tenant("clinic-a", name="Alpha Clinic")


@pytest.fixture
def admin(admin_client, import_app):
    client = admin_client()
    client.application = import_app
    return client


def test_an_admin_imports_a_wix_site_by_its_address_and_reads_the_report(
    app, admin, clinic, fixture_site
):
    serve_wix(
        fixture_site,
        [
            WixPost("one", "First post", "2024-01-01T09:00:00+00:00", "<p>One.</p>"),
            WixPost("two", "Second post", "2024-02-01T09:00:00+00:00", "<p>Two.</p>"),
        ],
    )
    form = admin.get(f"/admin/clinics/{clinic.id}/import")
    assert form.status_code == 200 and "Import a blog into Alpha Clinic" in form.text
    dry = admin.post(
        f"/admin/clinics/{clinic.id}/import",
        data={"csrf_token": admin.csrf, "url": fixture_site.url("/"), "dry_run": "y"},
        follow_redirects=True,
    )
    assert "Dry run finished: 2 would come across." in dry.text
    with app.app_context():
        assert db.session.scalars(select(Post)).all() == []
    done = admin.post(
        f"/admin/clinics/{clinic.id}/import",
        data={"csrf_token": admin.csrf, "url": fixture_site.url("/")},
        follow_redirects=True,
    )
    assert "Import finished: 2 imported." in done.text
    assert "<code>/post/one</code>" in done.text and "<code>/blog/one</code>" in done.text
    with app.app_context():
        actions = list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.tenant_id == clinic.id)
                .order_by(AuditEvent.id)
            )
        )
        assert actions[0] == "import.dry_run" and actions[-1] == "import.run"
        assert len(db.session.scalars(select(ImportRun)).all()) == 2
    overview = admin.get("/admin/").text
    assert "Last blog imports" in overview and f"Alpha Clinic: {fixture_site.url('/')}" in overview


def test_an_uploaded_wordpress_export(app, admin, clinic, fixture_site):
    fixture_site.add("/wp-content/uploads/desk.png", png(800, 600), Content_Type="image/png")
    data = wxr(fixture_site.url(""), fixture_site.url("/wp-content/uploads/desk.png"))
    response = admin.post(
        f"/admin/clinics/{clinic.id}/import",
        data={"csrf_token": admin.csrf, "upload": (io.BytesIO(data), "export.xml")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Import finished: 2 imported." in response.text
    with app.app_context():
        assert set(db.session.scalars(select(Post.slug))) == {"desk-stretches", "half-written-idea"}
        assert db.session.scalars(select(ImportRun.source)).one() == "export.xml"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter an address or choose a file"),
        ({"url": "ftp://old.example/feed"}, "starting with https://"),
        ({"url": "not a url at all"}, "starting with https://"),
    ],
)
def test_bad_input_is_named_and_nothing_is_stored(app, admin, clinic, data, message):
    before = row_counts(app)
    response = admin.post(
        f"/admin/clinics/{clinic.id}/import", data={"csrf_token": admin.csrf, **data}
    )
    assert response.status_code == 422 and message in response.text
    assert 'id="url-error"' in response.text
    assert row_counts(app) == before


def test_a_source_that_cannot_be_read_says_why(app, admin, clinic, fixture_site):
    fixture_site.add("/", "<html><body>No sitemap here</body></html>", Content_Type="text/html")
    response = admin.post(
        f"/admin/clinics/{clinic.id}/import",
        data={"csrf_token": admin.csrf, "url": fixture_site.url("/")},
        follow_redirects=True,
    )
    assert "The import could not start:" in response.text and "answered 404" in response.text


def test_another_clinics_report_is_not_found(app, admin, clinic, make_tenant):
    other = make_tenant("clinic-b")
    with app.app_context():
        run = ImportRun(tenant_id=other.id, source="x", report=[])
        db.session.add(run)
        db.session.commit()
        run_id = run.id
    assert admin.get(f"/admin/clinics/{clinic.id}/imports/{run_id}").status_code == 404
    assert admin.get(f"/admin/clinics/{other.id}/imports/{run_id}").status_code == 200
