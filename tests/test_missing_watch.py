"""The 404 watch: missing paths on a clinic's host are counted, per clinic, bounded."""

from __future__ import annotations

from sqlalchemy import select

from meridian.extensions import db
from meridian.models import AuditEvent, MissingPath


def _counts(app):
    with app.app_context():
        return {
            (row.tenant_id, row.path): row.hits for row in db.session.scalars(select(MissingPath))
        }


def test_missing_paths_are_counted_per_clinic_without_their_query(
    app, make_tenant, client_for, make_app
):
    a, b = make_tenant("clinic-a"), make_tenant("clinic-b")
    site_a, site_b = client_for(a), client_for(b)
    for _ in range(3):
        assert site_a.get("/post/old-article?utm_source=x").status_code == 404
    assert site_b.get("/post/old-article").status_code == 404
    assert site_a.post("/post/other").status_code in (404, 405)  # only GET/HEAD count
    assert site_a.get("/").status_code == 200
    assert client_for("localhost").get("/nothing-here").status_code == 404  # platform host
    assert _counts(app) == {(a.id, "/post/old-article"): 3, (b.id, "/post/old-article"): 1}


def test_the_watch_keeps_a_bounded_number_of_paths(app, make_tenant, client_for, make_app):
    clinic = make_tenant("clinic-a")
    small = make_app(MISSING_PATHS_KEPT=2)
    site = client_for(clinic, small)
    for n in range(4):
        assert site.get(f"/probe-{n}.php").status_code == 404
    site.get("/probe-0.php")
    assert _counts(app) == {(clinic.id, "/probe-0.php"): 2, (clinic.id, "/probe-1.php"): 1}


def test_the_admin_redirects_a_missing_path_in_one_click(
    app, make_tenant, make_post, client_for, admin_client
):
    clinic = make_tenant("clinic-a")
    make_post(clinic, slug="desk-stretches", title="Desk stretches")
    site = client_for(clinic)
    for _ in range(2):
        assert site.get("/2023/04/desk-stretches").status_code == 404
    site.get("/wp-login.php")
    admin = admin_client()
    page = admin.get(f"/admin/clinics/{clinic.id}/missing")
    assert page.status_code == 200
    assert page.text.index("/2023/04/desk-stretches") < page.text.index("/wp-login.php")
    assert 'value="/blog/desk-stretches"' in page.text  # the suggestion, one click away
    with app.app_context():
        row = db.session.scalars(
            select(MissingPath).where(MissingPath.path == "/2023/04/desk-stretches")
        ).one()
    url = f"/admin/clinics/{clinic.id}/missing/{row.id}/redirect"
    refused = admin.post(
        url,
        data={"csrf_token": admin.csrf, "target": "https://elsewhere.example/"},
        follow_redirects=True,
    )
    assert "starting with /" in refused.text
    assert site.get("/2023/04/desk-stretches").status_code == 404
    done = admin.post(
        url,
        data={"csrf_token": admin.csrf, "target": "/blog/desk-stretches"},
        follow_redirects=True,
    )
    assert "now redirects to /blog/desk-stretches" in done.text
    moved = site.get("/2023/04/desk-stretches")
    assert moved.status_code == 301 and moved.headers["Location"] == "/blog/desk-stretches"
    with app.app_context():
        paths = set(db.session.scalars(select(MissingPath.path)))
        assert paths == {"/wp-login.php"}
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "redirect.added")
        ).one()
        assert event.tenant_id == clinic.id and event.details["to"] == "/blog/desk-stretches"


def test_another_clinics_missing_path_is_not_found(app, make_tenant, client_for, admin_client):
    a, b = make_tenant("clinic-a"), make_tenant("clinic-b")
    client_for(b).get("/old-page")
    with app.app_context():
        row_id = db.session.scalars(select(MissingPath.id)).one()
    admin = admin_client()
    response = admin.post(
        f"/admin/clinics/{a.id}/missing/{row_id}/redirect",
        data={"csrf_token": admin.csrf, "target": "/"},
    )
    assert response.status_code == 404
    assert client_for(b).get("/old-page").status_code == 404
