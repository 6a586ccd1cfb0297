"""Read queries for public pages, all through the tenant scope, none per item."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..engagement.queries import like_count_column
from ..extensions import db
from ..models import (
    Closure,
    Faq,
    Location,
    OpeningHours,
    Post,
    Practitioner,
    PractitionerHours,
    Service,
    Tag,
    post_tag,
    utcnow,
)
from ..pagecache import valid_until
from ..tenancy import current_tenant, tenant_select
from .opening import OpeningWeek, opening_week


def live_posts():
    """Published posts of the current tenant, newest first (scheduled ones excluded)."""
    return tenant_select(Post, Post.published_at <= utcnow()).order_by(
        Post.published_at.desc(), Post.id.desc()
    )


def recent_posts(limit: int = 5, exclude_id: int | None = None, covers: bool = False) -> list[Post]:
    stmt = live_posts().limit(limit)
    if covers:
        stmt = stmt.options(joinedload(Post.cover))
    if exclude_id is not None:
        stmt = stmt.where(Post.id != exclude_id)
    return list(db.session.scalars(stmt))


def live_post_or_404(slug: str) -> Post:
    stmt = (
        live_posts().where(Post.slug == slug).options(joinedload(Post.tags), joinedload(Post.cover))
    )
    post = db.session.scalars(stmt).unique().first()
    if post is None:
        abort(404)
    return post


def live_post_with_likes_or_404(slug: str) -> tuple[Post, int]:
    """The live post and its like count, in the same one statement."""
    stmt = (
        live_posts()
        .add_columns(like_count_column())
        .where(Post.slug == slug)
        .options(joinedload(Post.tags), joinedload(Post.cover))
    )
    row = db.session.execute(stmt).unique().first()
    if row is None:
        abort(404)
    return row[0], row[1]


def paginate_posts(page: int, per_page: int, tag: Tag | None = None):
    stmt = live_posts().options(selectinload(Post.tags), joinedload(Post.cover))
    if tag is not None:
        stmt = stmt.join(
            post_tag, (post_tag.c.post_id == Post.id) & (post_tag.c.tenant_id == Post.tenant_id)
        ).where(post_tag.c.tag_id == tag.id)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def _live_tag_ids():
    """Ids of the tags on at least one live post (a tag used only by drafts stays hidden)."""
    live = live_posts().with_only_columns(Post.id).order_by(None)
    return select(post_tag.c.tag_id).where(
        post_tag.c.tenant_id == current_tenant().id, post_tag.c.post_id.in_(live)
    )


def tag_or_404(slug: str) -> Tag:
    tag = db.session.scalars(
        tenant_select(Tag, Tag.slug == slug, Tag.id.in_(_live_tag_ids()))
    ).first()
    if tag is None:
        abort(404)
    return tag


def services() -> list[Service]:
    return list(db.session.scalars(tenant_select(Service).order_by(Service.position, Service.id)))


def faqs(limit: int | None = None) -> list[Faq]:
    stmt = tenant_select(Faq).order_by(Faq.position, Faq.id)
    return list(db.session.scalars(stmt if limit is None else stmt.limit(limit)))


def hours_by_location() -> dict[int, list[OpeningHours]]:
    """All opening hours of the tenant in one query, keyed by location id."""
    rows = db.session.scalars(
        tenant_select(OpeningHours).order_by(OpeningHours.weekday, OpeningHours.opens)
    )
    grouped: dict[int, list[OpeningHours]] = defaultdict(list)
    for row in rows:
        grouped[row.location_id].append(row)
    return grouped


def sitemap_entries() -> tuple[list[Post], list[Tag]]:
    posts = list(db.session.scalars(live_posts()))
    tags = list(
        db.session.scalars(tenant_select(Tag, Tag.id.in_(_live_tag_ids())).order_by(Tag.slug))
    )
    return posts, tags


@dataclass
class TeamMember:
    """A practitioner as the site shows them: what they offer and where and when."""

    person: Practitioner
    services: list[Service] = field(default_factory=list)
    # (location, its weekly hours there), in the clinic's location order.
    places: list[tuple[Location, list[PractitionerHours]]] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.person.bio.split("\n\n") if p.strip()]

    @property
    def only_location(self) -> Location | None:
        return self.places[0][0] if len(self.places) == 1 else None


def consultation(offered: list[Service]) -> Service | None:
    """The free first conversation most clinics offer (the home page's main button):
    the first free, online-bookable service."""
    return next((s for s in offered if s.online_bookable and s.price_minor == 0), None)


def team(offered: list[Service] | None = None) -> list[TeamMember]:
    """Active practitioners in team order, with their bookable services and hours by
    location: one query (two without `offered`), whatever the team's size."""
    people = (
        db.session.scalars(
            tenant_select(Practitioner, Practitioner.active.is_(True))
            .order_by(Practitioner.position, Practitioner.id)
            .options(
                joinedload(Practitioner.services),
                joinedload(Practitioner.hours),
                joinedload(Practitioner.portrait),
            )
        )
        .unique()
        .all()
    )
    bookable = {s.id: s for s in (offered if offered is not None else services())}
    bookable = {i: s for i, s in bookable.items() if s.online_bookable}
    locations = current_tenant().locations
    members = []
    for person in people:
        offered = [bookable[i] for i in sorted(person.service_ids) if i in bookable]
        offered.sort(key=lambda s: (s.position, s.id))
        places = [
            (loc, [h for h in person.hours if h.location_id == loc.id])
            for loc in locations
            if loc.id in person.location_ids
        ]
        members.append(TeamMember(person, offered, places))
    return members


def opening_weeks(hours: dict[int, list[OpeningHours]]) -> dict[int, OpeningWeek]:
    """Each location's week as of now (one query, for the closures near today), and
    the page cache told when the first of them changes ("open now", today)."""
    now = utcnow()
    first = (now - timedelta(days=1)).date()
    closures = db.session.scalars(
        tenant_select(Closure, Closure.day.between(first, first + timedelta(days=10)))
    ).all()
    weeks = {}
    for location in current_tenant().locations:
        weeks[location.id] = opening_week(
            zone=location.timezone,
            city=location.city,
            country=location.country,
            subdivision=location.holiday_subdivision,
            hours=[(h.weekday, h.opens, h.closes) for h in hours.get(location.id, [])],
            closures=[
                (c.day, c.is_open, c.reason) for c in closures if c.location_id == location.id
            ],
            now=now,
        )
    if weeks:
        valid_until(min(week.valid_until for week in weeks.values()))
    return weeks
