"""`tenants export` writes a bundle that loads back to the same clinic; `tenants load`
will not silently overwrite a clinic edited in the studio."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from meridian.bundles import StudioEdits, export_bundle, load_bundle
from meridian.content import PostData, content_changed, faqs, save_post
from meridian.content import clinic as clinic_content
from meridian.extensions import db
from meridian.media.service import save_upload
from meridian.models import (
    Closure,
    Domain,
    Faq,
    Location,
    OpeningHours,
    Post,
    PostRevision,
    Practitioner,
    PractitionerHours,
    PractitionerService,
    Redirect,
    Service,
    Tenant,
    TimeOff,
)

from .conftest import ROOT

# Bookkeeping a visitor never sees; everything else is compared.
SKIP = {"id", "tenant_id", "location_id", "practitioner_id", "service_id", "created_at"}
# When a domain was proved is bookkeeping; *whether* it serves is compared below.
SKIP |= {"verified_at", "verification_token"}
# Photos are compared by what a visitor sees of them (below), not by their ids.
SKIP |= {"cover_media_id", "hero_media_id", "photo_media_id"}
TENANT_SKIP = SKIP | {"content_version", "next_publish_at", "updated_at", "studio_edited_at"}


def _photo(item, alt: bool = True) -> tuple | None:
    """A cover's description is the post's own `cover_alt` (compared with the post)."""
    return None if item is None else (item.alt if alt else "", item.width, item.height)


def _columns(row, skip=SKIP) -> dict:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in skip}


def visible(slug: str) -> dict:
    """Every row of a clinic that a visitor can see, keyed by natural keys, without ids."""
    db.session.expire_all()
    tenant = db.session.scalars(select(Tenant).filter_by(slug=slug)).one()
    where = {"tenant_id": tenant.id}
    slugs = {loc.id: loc.slug for loc in tenant.locations}

    def rows(model, key):
        found = db.session.scalars(select(model).filter_by(**where)).all()
        return sorted((key(r), _columns(r)) for r in found)

    posts = db.session.scalars(select(Post).filter_by(**where)).all()
    people = {p.id: p.slug for p in db.session.scalars(select(Practitioner).filter_by(**where))}
    services = {s.id: s.slug for s in db.session.scalars(select(Service).filter_by(**where))}
    return {
        "practitioners": rows(Practitioner, lambda p: p.slug),
        "practitioner_services": sorted(
            (people[r.practitioner_id], services[r.service_id])
            for r in db.session.scalars(select(PractitionerService).filter_by(**where))
        ),
        "practitioner_hours": sorted(
            (people[r.practitioner_id], slugs[r.location_id], r.weekday, r.opens, r.closes)
            for r in db.session.scalars(select(PractitionerHours).filter_by(**where))
        ),
        "time_off": sorted(
            (people[r.practitioner_id], r.starts_at, r.ends_at, r.note)
            for r in db.session.scalars(select(TimeOff).filter_by(**where))
        ),
        "tenant": _columns(tenant, TENANT_SKIP),
        "domains": rows(Domain, lambda d: d.hostname),
        "serving": sorted(
            d.hostname for d in tenant.domains if getattr(d, "verified_at", True) is not None
        ),
        "locations": rows(Location, lambda loc: loc.slug),
        "hours": rows(OpeningHours, lambda h: (slugs[h.location_id], h.weekday, h.opens)),
        "closures": rows(Closure, lambda c: (slugs[c.location_id], c.day)),
        "services": rows(Service, lambda s: s.slug),
        "faqs": rows(Faq, lambda f: f.position),
        "posts": sorted(
            (p.slug, _columns(p), sorted((t.slug, t.name) for t in p.tags)) for p in posts
        ),
        "redirects": rows(Redirect, lambda r: r.old_path),
        "photos": [("hero", _photo(tenant.hero))]
        + sorted((p.slug, _photo(p.cover, alt=False)) for p in posts),
    }


def _wipe() -> None:
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


def _zak() -> Tenant:
    return db.session.scalars(select(Tenant).filter_by(slug="zak-clinic")).one()


def _edit_in_the_studio(tenant: Tenant) -> None:
    """What an owner might do in a week: every kind of row a bundle carries."""
    now = datetime.now(UTC)
    # A photo uploaded in the studio (not a file of the bundle) as a new post's cover.
    picture = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 90, 120)).save(picture, "PNG")
    picture.seek(0)
    door = save_upload(tenant.id, picture, filename="door.png", alt="The front door")
    post = db.session.scalars(select(Post).filter_by(tenant_id=tenant.id)).first()
    data = PostData.of(post)
    data.slug, data.seo_title = "renamed-in-the-studio", "A better title for search"
    data.cover_image, data.cover_alt = "/brand/logo.svg", "The clinic's logo"
    save_post(tenant, post, data, actor="Owner")
    save_post(
        tenant,
        None,
        PostData(
            title="Coming soon: «winter» hours",
            body_md="Line one.\n\n* a\n* b\n\n    code block\n\nÜnïcödé & <b>bold</b>",
            excerpt="Two\nlines",
            tags=["News", "Winter hours"],
            published_at=now + timedelta(days=3),
            cover_media_id=door.id,
            cover_alt="Our front door in the snow",
        ),
        actor="Owner",
    )
    save_post(tenant, None, PostData(title="An unfinished draft", body_md="…"), actor="Owner")
    first = faqs.ordered(tenant)[0]
    faqs.move_faq(tenant, first, +2)
    faqs.save_faq(tenant, None, "Is there parking?", "Yes: *two* spaces.")
    location = tenant.locations[0]
    clinic_content.set_closures(
        tenant,
        location,
        {date(2031, 12, 24): ("Christmas Eve", False), date(2031, 1, 2): ("", True)},
    )
    db.session.commit()


def test_export_then_load_into_an_empty_database_gives_the_same_clinic(ctx, tmp_path):
    load_bundle(ROOT / "tenants" / "zak-clinic")
    _edit_in_the_studio(_zak())
    before = visible("zak-clinic")
    assert len(before["posts"]) == 6 and before["redirects"] and before["closures"]
    assert before["practitioners"] and before["practitioner_hours"]
    export_bundle(_zak(), tmp_path / "out")
    _wipe()
    load_bundle(tmp_path / "out")
    after = visible("zak-clinic")
    for part in before:
        assert after[part] == before[part], part


def test_export_of_the_demo_bundle_loads_as_unchanged(ctx, tmp_path):
    load_bundle(ROOT / "tenants" / "acute-acupuncture")
    tenant = db.session.scalars(select(Tenant).filter_by(slug="acute-acupuncture")).one()
    export_bundle(tenant, tmp_path / "out")
    assert (tmp_path / "out" / "static" / "logo.svg").is_file()
    report = load_bundle(tmp_path / "out")
    assert not report.changed, report.lines()


def test_export_refuses_a_folder_that_is_not_empty(ctx, tmp_path):
    load_bundle(ROOT / "tenants" / "zak-clinic")
    (tmp_path / "x.txt").write_text("keep me")
    with pytest.raises(Exception, match="not empty"):
        export_bundle(_zak(), tmp_path)
    assert (tmp_path / "x.txt").read_text() == "keep me"


def test_loading_over_studio_edits_shows_the_changes_and_refuses(ctx):
    bundle = ROOT / "tenants" / "zak-clinic"
    load_bundle(bundle)
    _edit_in_the_studio(_zak())
    before = visible("zak-clinic")
    with pytest.raises(StudioEdits) as refused:
        load_bundle(bundle)
    lines = refused.value.report.lines()
    # The post renamed in the studio would come back under its old address, the FAQ
    # reordered back and the question added in the studio removed: all listed.
    assert "  + post can-acupuncture-boost-the-immune-system" in lines
    assert "  ~ faq 1: question, answer_md" in lines and "  ~ faq 6 removed" in lines
    assert "  ~ closures pimlico" in lines
    assert "--replace" in str(refused.value)
    assert visible("zak-clinic") == before  # nothing written
    dry = load_bundle(bundle, dry_run=True)
    assert dry.changed and visible("zak-clinic") == before


def test_replace_overwrites_but_the_studio_words_stay_in_revisions(ctx):
    bundle = ROOT / "tenants" / "zak-clinic"
    load_bundle(bundle)
    post = db.session.scalars(select(Post).order_by(Post.slug)).first()
    data = PostData.of(post)
    data.body_md = "Rewritten in the studio."
    save_post(_zak(), post, data, actor="Owner")
    db.session.commit()
    report = load_bundle(bundle, replace=True)
    assert report.updated == [f"post {post.slug}"] and report.details[f"post {post.slug}"] == [
        "body_md"
    ]
    db.session.expire_all()
    assert post.body_md != "Rewritten in the studio." and _zak().studio_edited_at is None
    kept = db.session.scalars(select(PostRevision.body_md).filter_by(post_id=post.id)).all()
    assert "Rewritten in the studio." in kept
    assert not load_bundle(bundle).changed  # in step with the bundle again


def test_bundle_writes_are_announced_as_bundle_changes(ctx):
    seen = []
    with content_changed.connected_to(lambda sender, change: seen.append(change)):
        load_bundle(ROOT / "tenants" / "zak-clinic")
    assert seen and {c.source for c in seen} == {"bundle"}
    assert _zak().studio_edited_at is None


def test_cli_export_load_and_refusal(app, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["tenants", "load", "tenants/zak-clinic"]).exit_code == 0
    out = tmp_path / "zak"
    exported = runner.invoke(args=["tenants", "export", "zak-clinic", str(out)])
    assert exported.exit_code == 0, exported.output
    assert "4 posts" in exported.output
    assert (
        runner.invoke(args=["tenants", "load", str(out)]).output.strip() == "zak-clinic: unchanged"
    )
    with app.app_context():
        tenant = _zak()
        faqs.save_faq(tenant, None, "New from the studio?", "Yes.")
        db.session.commit()
    refused = runner.invoke(args=["tenants", "load", "tenants/zak-clinic"])
    assert refused.exit_code != 0
    assert "~ faq 6 removed" in refused.output and "--replace" in refused.output
    with app.app_context():
        assert len(faqs.ordered(_zak())) == 6
    replaced = runner.invoke(args=["tenants", "load", "--replace", "tenants/zak-clinic"])
    assert replaced.exit_code == 0 and "faq 6 removed" in replaced.output
    assert runner.invoke(args=["tenants", "export", "nope", str(tmp_path / "n")]).exit_code != 0
