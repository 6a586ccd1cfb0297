"""The 404 watch: missing paths on a clinic's host are counted, per clinic, bounded."""

from __future__ import annotations

from sqlalchemy import select

from meridian.extensions import db
from meridian.models import MissingPath


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
