"""Tenant bundles load idempotently, update what changed, and reject bad input whole."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from meridian.bundles import BundleError, load_bundle
from meridian.extensions import db
from meridian.models import Domain, Faq, Location, OpeningHours, Post, Service, Tag, Tenant

from .factories import ROOT

TABLES = (Tenant, Domain, Location, OpeningHours, Service, Faq, Post, Tag)


def _counts() -> dict[str, int]:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in TABLES}


def _snapshot(slug: str) -> tuple:
    tenant = db.session.scalars(select(Tenant).filter_by(slug=slug)).one()
    posts = db.session.execute(
        select(Post.slug, Post.updated_at).filter_by(tenant_id=tenant.id)
    ).all()
    return tenant.content_version, tenant.updated_at, sorted(posts)


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A private copy of the Zak Clinic bundle to edit."""
    return Path(shutil.copytree(ROOT / "tenants" / "zak-clinic", tmp_path / "zak-clinic"))


def test_demo_bundles_load_with_their_content(ctx):
    for slug in ("acute-acupuncture", "zak-clinic"):
        report = load_bundle(ROOT / "tenants" / slug)
        assert report.created and report.tenant == slug
    zak = db.session.scalars(select(Tenant).filter_by(slug="zak-clinic")).one()
    assert zak.primary_host == "zak-clinic.localhost"
    assert [loc.street for loc in zak.locations][0] == "Warwick Pharmacy, 34-36 Warwick Way"
    assert zak.locations[0].timezone == "Europe/London"
    posts = db.session.scalars(select(Post).filter_by(tenant_id=zak.id)).all()
    assert len(posts) >= 3 and all(p.body_html and p.published_at for p in posts)
    assert db.session.scalar(select(func.count()).select_from(Faq).filter_by(tenant_id=zak.id)) >= 4


def test_loading_twice_changes_nothing(ctx, bundle):
    load_bundle(bundle)
    before_counts, before = _counts(), _snapshot("zak-clinic")
    report = load_bundle(bundle)
    db.session.expire_all()
    assert not report.changed
    assert _counts() == before_counts
    assert _snapshot("zak-clinic") == before


def test_editing_a_post_updates_only_that_post(ctx, bundle):
    load_bundle(bundle)
    version_before = _snapshot("zak-clinic")[0]
    post_file = sorted((bundle / "posts").glob("*.md"))[0]
    post_file.write_text(
        post_file.read_text()
        .replace("title:", "title: Revised —", 1)
        .replace('Revised — "', '"Revised — ', 1)
    )
    report = load_bundle(bundle)
    db.session.expire_all()
    assert report.updated == [f"post {post_file.stem}"] and not report.created
    post = db.session.scalars(select(Post).filter_by(slug=post_file.stem)).one()
    assert post.title.startswith("Revised")
    assert _snapshot("zak-clinic")[0] > version_before  # cached pages are invalidated


def test_editing_hours_and_adding_a_post(ctx, bundle):
    load_bundle(bundle)
    toml = bundle / "tenant.toml"
    text = toml.read_text()
    assert "sun = []" in text
    toml.write_text(text.replace("sun = []", 'sun = ["10:00-12:00"]', 1))
    (bundle / "posts" / "new-post.md").write_text(
        "---\ntitle: A new post\npublished: 2026-01-05T09:00:00+00:00\ntags: [news]\n---\nHello **there**.\n"
    )
    report = load_bundle(bundle)
    assert "post new-post" in report.created
    assert any(label.startswith("hours ") for label in report.updated)
    sundays = db.session.scalars(select(OpeningHours).filter_by(weekday=6)).all()
    assert [(h.opens.hour, h.closes.hour) for h in sundays] == [(10, 12)]
    post = db.session.scalars(select(Post).filter_by(slug="new-post")).one()
    assert post.body_html == "<p>Hello <strong>there</strong>.</p>\n"
    assert [t.slug for t in post.tags] == ["news"]


def test_draft_posts_have_no_publication_date(ctx, bundle):
    (bundle / "posts" / "draft.md").write_text("---\ntitle: Not yet\ndraft: true\n---\nSoon.\n")
    load_bundle(bundle)
    assert db.session.scalars(select(Post).filter_by(slug="draft")).one().published_at is None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('timezone = "Europe/London"', 'timezone = "Mars/Olympus"', "IANA zone"),
        ('mon = ["', 'mon = ["25:00-26:00", "', "hour must be in"),
        ('slug = "pimlico"', 'slug = "Pimlico Branch"', "lower-case"),
        ('primary = "zak-clinic.localhost"', 'primary = ""', "domains.primary"),
        ("duration_minutes = 15", "duration_minutes = 0", "duration_minutes"),
    ],
)
def test_bad_bundles_are_refused_whole_with_a_clear_message(ctx, bundle, old, new, message):
    toml = bundle / "tenant.toml"
    assert old in toml.read_text(), old
    toml.write_text(toml.read_text().replace(old, new, 1))
    with pytest.raises(BundleError, match=message):
        load_bundle(bundle)
    assert _counts()["Tenant"] == 0  # nothing half-written


def test_a_domain_of_another_clinic_is_refused(ctx, bundle, make_tenant):
    make_tenant("squatter", host="zak-clinic.localhost")
    with pytest.raises(BundleError, match="already belongs to another clinic"):
        load_bundle(bundle)


def test_cli_loads_and_reports(app, bundle):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["tenants", "load", str(bundle)])
    assert first.exit_code == 0, first.output
    assert "zak-clinic:" in first.output and "created" in first.output
    second = runner.invoke(args=["tenants", "load", str(bundle)])
    assert second.output.strip() == "zak-clinic: unchanged"
    suspended = runner.invoke(args=["tenants", "suspend", "zak-clinic"])
    assert suspended.exit_code == 0
    listing = runner.invoke(args=["tenants", "list"])
    assert "zak-clinic\tsuspended\tzak-clinic.localhost" in listing.output


def test_removing_an_faq_from_the_bundle_removes_it(ctx, bundle):
    load_bundle(bundle)
    toml = bundle / "tenant.toml"
    text = toml.read_text()
    assert text.rstrip().rfind("[[faqs]]") > text.rfind("[[services]]")  # FAQs come last
    toml.write_text(text[: text.rfind("[[faqs]]")])
    report = load_bundle(bundle)
    assert report.updated == ["faq 5 removed"]
    assert _counts()["Faq"] == 4


def test_the_team_goes_through_the_write_path_with_its_checks_and_audit(ctx, bundle):
    """Practitioners are written like the studio writes them: refused by the same
    rules (named by field), and every change in the audit log as the bundle's."""
    from meridian.models import AuditEvent

    toml = bundle / "tenant.toml"
    text = toml.read_text()
    toml.write_text(text.replace('name = "Samira Haddad"', f'name = "{"S" * 121}"', 1))
    with pytest.raises(BundleError, match=r"practitioners\[0\]: name: .*120"):
        load_bundle(bundle)
    assert _counts()["Tenant"] == 0
    second = '\n[[practitioners]]\nslug = "lee-second"\nname = "Lee Second"\n'
    toml.write_text(text + second)
    load_bundle(bundle)
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.actor_email).where(
            AuditEvent.target.like("practitioner:%")
        )
    ).all()
    assert ("practitioner.create", "(bundle)") in events
    assert ("practitioner.hours", "(bundle)") in events
    # A practitioner the bundle no longer lists is retired (kept), through the same path.
    toml.write_text(text)
    report = load_bundle(bundle)
    assert "practitioner lee-second retired" in report.updated
    retired = db.session.scalars(
        select(AuditEvent.target).where(AuditEvent.action == "practitioner.retire")
    ).all()
    assert len(retired) == 1


def test_a_dry_run_writes_no_picture_to_the_media_storage(ctx, bundle, app):
    """The report says what would change; the database is rolled back and the media
    storage (a folder here, a bucket in production) is left as it was."""
    media = Path(app.config.get("MEDIA_ROOT") or Path(app.instance_path) / "media")
    before = sorted(media.rglob("*")) if media.exists() else []
    report = load_bundle(bundle, dry_run=True)
    assert "tenant zak-clinic" in report.created
    assert _counts()["Tenant"] == 0
    assert (sorted(media.rglob("*")) if media.exists() else []) == before
    load_bundle(bundle)  # a real load does write the pictures
    assert len(sorted(media.rglob("*.webp"))) > len([p for p in before if p.suffix == ".webp"])
