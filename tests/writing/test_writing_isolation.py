"""Another clinic's posts, revisions and questions, by their real ids, through every
writing route of the studio: refused (404), and nothing changed anywhere.

tests/test_access.py already walks every studio route for signed-out visitors, the
other clinic's staff and too-small roles; this adds the objects of the other clinic.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from meridian.content import PostData, save_post
from meridian.content import faqs as faq_rules
from meridian.extensions import db
from meridian.models import Faq, Post, PostRevision, Tenant

from ..factories import row_counts
from .helpers import FIELDS

#: Every writing route with an object id, and the method to try.
ROUTES = [
    ("GET", "/studio/posts/{post}/edit"),
    ("POST", "/studio/posts/{post}/edit"),
    ("GET", "/studio/posts/{post}/edit?revision={revision}"),
    ("POST", "/studio/posts/{post}/preview"),
    ("POST", "/studio/posts/{post}/share"),
    ("POST", "/studio/posts/{post}/autosave"),
    ("GET", "/studio/posts/{post}/revisions"),
    ("GET", "/studio/posts/{post}/revisions/{revision}"),
    ("POST", "/studio/posts/{post}/revisions/{revision}/restore"),
    ("GET", "/studio/posts/{post}/delete"),
    ("POST", "/studio/posts/{post}/delete"),
    ("GET", "/studio/posts/{own_post}/revisions/{revision}"),
    ("POST", "/studio/posts/{own_post}/revisions/{revision}/restore"),
    ("GET", "/studio/posts/{own_post}/edit?revision={revision}"),
    ("GET", "/studio/faq/{faq}/edit"),
    ("POST", "/studio/faq/{faq}/edit"),
    ("POST", "/studio/faq/{faq}/move"),
    ("GET", "/studio/faq/{faq}/delete"),
    ("POST", "/studio/faq/{faq}/delete"),
]


@pytest.fixture
def two_clinics(app, make_tenant):
    a, b = make_tenant("clinic-a"), make_tenant("clinic-b")
    with app.app_context():
        tb = db.session.get(Tenant, b.id)
        theirs = save_post(tb, None, PostData(title="Theirs", body_md="b")).post
        save_post(tb, theirs, PostData(title="Theirs again", slug=theirs.slug, body_md="b2"))
        faq_rules.save_faq(tb, None, "Their question?", "b")
        faq_rules.save_faq(tb, None, "Their second?", "b")
        ta = db.session.get(Tenant, a.id)
        mine = save_post(ta, None, PostData(title="Mine", body_md="a")).post
        db.session.commit()
        ids = {
            "post": theirs.id,
            "revision": db.session.scalars(
                select(PostRevision.id).filter_by(post_id=theirs.id)
            ).first(),
            "faq": db.session.scalars(select(Faq.id).filter_by(tenant_id=b.id)).first(),
            "own_post": mine.id,
        }
    return a, b, ids


@pytest.mark.parametrize(("method", "pattern"), ROUTES)
@pytest.mark.parametrize("role", ["owner", "editor"])
def test_the_other_clinics_objects_are_refused(
    app, two_clinics, signed_in_client, method, pattern, role
):
    a, _, ids = two_clinics
    client = signed_in_client(a, role)
    url = pattern.format(**ids)
    data = FIELDS | {
        "csrf_token": client.csrf,
        "title": "Hijack",
        "body_md": "x",
        "direction": "up",
        "question": "Hijack?",
    }
    before = row_counts(app)
    response = client.open(url, method=method, data=data if method == "POST" else None)
    assert response.status_code == 404, f"{method} {url}: {response.status_code}"
    assert row_counts(app) == before
    with app.app_context():
        assert (
            db.session.scalars(select(Post.title).filter_by(id=ids["post"])).one() == "Theirs again"
        )
        assert "Hijack?" not in db.session.scalars(select(Faq.question)).all()


def test_every_writing_route_is_in_this_list(app):
    """A new writing route with an id must be added above."""
    listed = {pattern.split("?")[0].replace("{own_post}", "{post}") for _, pattern in ROUTES}
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("studio.") and (
            "post_id" in rule.arguments or "faq_id" in rule.arguments
        ):
            found.add(
                rule.rule.replace("<int:post_id>", "{post}")
                .replace("<int:revision_id>", "{revision}")
                .replace("<int:faq_id>", "{faq}")
            )
    assert found <= listed, found - listed
