"""The hot path stays lean: a post page costs at most 5 SQL statements on a cache miss
(the host's tenant reference, the tenant row, the post with its tags and like count,
recent posts, approved comments), and the same number however much content the clinic
has."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from meridian.extensions import cache, db
from meridian.markdown import render_markdown
from meridian.models import Comment, Like, Location, OpeningHours, Post, Tag, Tenant

HOST = "zak-clinic.localhost"
POST = "can-acupuncture-help-with-dry-eye"
MAX_STATEMENTS = 5


def statements_for(client, count_queries, path: str) -> list[str]:
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return statements


def grow_clinic(slug: str, n: int = 200) -> None:
    """Add n posts (each with 3 tags of its own), n tags and n locations with hours."""
    tenant = db.session.scalars(select(Tenant).filter_by(slug=slug)).one()
    now = datetime.now(UTC)
    tags = [Tag(tenant_id=tenant.id, slug=f"bulk-tag-{i}", name=f"Bulk tag {i}") for i in range(n)]
    db.session.add_all(tags)
    for i in range(n):
        post = Post(
            tenant_id=tenant.id,
            slug=f"bulk-post-{i}",
            title=f"Bulk post {i}",
            body_md="Words.",
            body_html=render_markdown("Words."),
            excerpt="An excerpt.",
            published_at=now - timedelta(days=30, minutes=i),
        )
        post.tags.extend(tags[(i + k) % n] for k in range(3))
        db.session.add(post)
    shown = db.session.scalars(select(Post).filter_by(tenant_id=tenant.id, slug=POST)).one()
    shown.tags.extend(tags[:20])  # the measured post itself carries 20 more tags
    db.session.flush()
    for i in range(n // 4):  # and 50 approved comments, each answered by the clinic, and likes
        comment = Comment(
            tenant_id=tenant.id,
            post_id=shown.id,
            author_name=f"Reader {i}",
            body=f"Bulk question {i}",
            status="approved",
        )
        db.session.add(comment)
        db.session.flush()
        db.session.add_all(
            [
                Comment(
                    tenant_id=tenant.id,
                    post_id=shown.id,
                    parent_id=comment.id,
                    author_name=tenant.name,
                    body=f"Bulk answer {i}",
                    status="approved",
                    by_clinic=True,
                ),
                Like(tenant_id=tenant.id, post_id=shown.id, liker=f"bulk-{i}"),
            ]
        )
    for i in range(n):
        location = Location(
            tenant_id=tenant.id,
            slug=f"bulk-location-{i}",
            name=f"Branch {i}",
            street=f"{i} Long Road",
            city="London",
            country="GB",
            timezone="Europe/London",
            position=100 + i,
        )
        db.session.add(location)
        db.session.flush()
        db.session.add(
            OpeningHours(
                tenant_id=tenant.id,
                location_id=location.id,
                weekday=i % 7,
                opens=time(9),
                closes=time(17),
            )
        )
    db.session.commit()


def test_post_page_uses_at_most_four_statements_however_big_the_clinic(
    demo, client_for, count_queries, ctx
):
    client = client_for(HOST)
    path = f"/blog/{POST}"
    cache.clear()
    small = statements_for(client, count_queries, path)
    assert len(small) <= MAX_STATEMENTS, "\n".join(small)

    grow_clinic("zak-clinic")
    cache.clear()
    big = statements_for(client, count_queries, path)
    assert len(big) == len(small), "\n---\n".join(big)
    page = client.get(path).text
    assert "Branch 199" in page  # the 200 locations really are on the page (footer)
    assert "Bulk tag 19" in page and "Bulk post 0" in page  # tags and recent posts too
    assert "Bulk question 49" in page and "Bulk answer 49" in page and "50 likes" in page


def test_a_cached_page_costs_one_statement(demo, client_for, count_queries):
    client = client_for(HOST)
    path = f"/blog/{POST}"
    client.get(path)
    hit = statements_for(client, count_queries, path)
    assert len(hit) == 1, hit  # the tenant by host, which carries the content version
    with count_queries() as statements:
        not_modified = client.get(path, headers={"If-None-Match": client.get(path).headers["ETag"]})
    assert not_modified.status_code == 304
    assert len(statements) == 2  # two requests, one statement each


def test_other_reading_pages_stay_flat_as_the_clinic_grows(demo, client_for, count_queries, ctx):
    client = client_for(HOST)
    pages = ["/", "/blog", "/blog/tag/research", "/faq", "/contact", "/feed.xml"]
    cache.clear()
    small = {path: len(statements_for(client, count_queries, path)) for path in pages}
    grow_clinic("zak-clinic")
    cache.clear()
    big = {path: len(statements_for(client, count_queries, path)) for path in pages}
    assert big == small
    # The home page gathers the most: tenant, services, team, latest posts (with their
    # covers), hours, the closures near today ("open now") and the top questions.
    assert small["/"] <= 8, small
    assert max(v for path, v in small.items() if path != "/") <= 6, small
