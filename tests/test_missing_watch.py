"""The 404 watch: missing paths on a clinic's host are counted, per clinic, bounded."""

from __future__ import annotations

from html import escape

import pytest
from sqlalchemy import select

from meridian.extensions import db
from meridian.models import AuditEvent, MissingPath

from .factories import plant_session, row_counts


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


def _path_id(app, tenant, path: str) -> int:
    with app.app_context():
        return db.session.scalars(
            select(MissingPath.id).where(
                MissingPath.tenant_id == tenant.id, MissingPath.path == path
            )
        ).one()


@pytest.mark.parametrize("role", ["owner", "editor"])
def test_owners_and_editors_redirect_their_own_missing_paths_in_the_studio(
    app, make_tenant, make_post, client_for, signed_in_client, role
):
    clinic = make_tenant("clinic-a")
    make_post(clinic, slug="desk-stretches", title="Desk stretches")
    make_post(clinic, slug="hidden-draft", title="A draft", published_at=None)
    site = client_for(clinic)
    for _ in range(3):
        site.get("/post/desk-stretches-for-all")
    site.get("/old-prices")
    studio = signed_in_client(clinic, role)
    page = studio.get("/studio/missing")
    assert page.status_code == 200
    assert page.text.index("/post/desk-stretches-for-all") < page.text.index("/old-prices")
    assert 'value="/blog/desk-stretches"' in page.text  # suggested, one click away
    assert '<option value="/blog/desk-stretches">Desk stretches</option>' in page.text
    assert "/blog/hidden-draft" not in page.text  # a draft is no page to send anyone to
    assert 'href="/studio/missing"' in page.text  # in the studio's menu

    row_id = _path_id(app, clinic, "/old-prices")
    done = studio.post(
        f"/studio/missing/{row_id}/redirect",
        data={"csrf_token": studio.csrf, "target": " /book "},
        follow_redirects=True,
    )
    assert "/old-prices now redirects to /book" in done.text
    moved = site.get("/old-prices")
    assert moved.status_code == 301 and moved.headers["Location"] == "/book"
    with app.app_context():
        assert set(db.session.scalars(select(MissingPath.path))) == {"/post/desk-stretches-for-all"}
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "redirect.added")
        ).one()
        assert (event.tenant_id, event.actor_id, event.target) == (
            clinic.id,
            studio.user.id,
            "/old-prices",
        )
        assert event.details == {"to": "/book", "hits": 1}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("https://elsewhere.example/", "starting with /"),
        ("//elsewhere.example/x", "starting with /"),
        ("", "Choose a page or type a path"),
        ("/old-prices/", "the missing path itself"),
        ("/" + "a" * 400, "at most 300 characters"),
    ],
)
def test_a_refused_target_shows_the_list_again_with_what_was_typed(
    app, make_tenant, client_for, signed_in_client, typed, message
):
    clinic = make_tenant("clinic-a")
    client_for(clinic).get("/old-prices")
    row_id = _path_id(app, clinic, "/old-prices")
    studio = signed_in_client(clinic, "owner")
    before = row_counts(app)
    refused = studio.post(
        f"/studio/missing/{row_id}/redirect", data={"csrf_token": studio.csrf, "target": typed}
    )
    assert refused.status_code == 400
    assert message in refused.text
    assert f'id="target-{row_id}-error"' in refused.text and 'aria-invalid="true"' in refused.text
    assert f'name="target" value="{escape(typed)}"' in refused.text
    assert row_counts(app) == before
    assert client_for(clinic).get("/old-prices").status_code == 404


def test_the_studio_watch_is_the_clinics_own(app, make_tenant, client_for, signed_in_client):
    """Another clinic's paths are neither listed nor redirectable; the front desk, a
    signed-out visitor and another clinic's owner are refused; nothing changes."""
    a, b = make_tenant("clinic-a"), make_tenant("clinic-b")
    client_for(a).get("/alpha-old-page")
    client_for(b).get("/beta-old-page")
    b_row = _path_id(app, b, "/beta-old-page")
    a_row = _path_id(app, a, "/alpha-old-page")

    owner_a = signed_in_client(a, "owner")
    desk = signed_in_client(a, "front_desk")
    owner_b = signed_in_client(b, "owner")
    listed = owner_a.get("/studio/missing")
    assert "/alpha-old-page" in listed.text and "/beta-old-page" not in listed.text
    before = row_counts(app)
    other = owner_a.post(
        f"/studio/missing/{b_row}/redirect", data={"csrf_token": owner_a.csrf, "target": "/"}
    )
    assert other.status_code == 404

    assert desk.get("/studio/missing").status_code == 403
    refused = desk.post(
        f"/studio/missing/{a_row}/redirect", data={"csrf_token": desk.csrf, "target": "/"}
    )
    assert refused.status_code == 403

    outsider = client_for(a)
    gone = outsider.post(f"/studio/missing/{a_row}/redirect", data={"target": "/"})
    assert gone.status_code in (302, 303, 400, 401, 403)
    assert "/beta-old-page" not in outsider.get("/studio/missing").text

    replay = client_for(a)  # clinic B's owner, their cookie replayed on clinic A's host
    token = plant_session(replay, a.primary_host, owner_b.user, b)
    assert replay.get("/studio/missing").status_code in (302, 303, 401, 403)
    replayed = replay.post(
        f"/studio/missing/{a_row}/redirect", data={"csrf_token": token, "target": "/"}
    )
    assert replayed.status_code in (302, 303, 400, 401, 403)
    assert row_counts(app) == before
    assert client_for(a).get("/alpha-old-page").status_code == 404
    assert client_for(b).get("/beta-old-page").status_code == 404
