"""One import run: read the source, then bring each post across, one commit per post.

* Each post is keyed by its address on the old site (`ImportedItem`), so a re-run skips
  what an earlier run brought across (no duplicates) and a run that stopped half way
  resumes where it stopped. Images are keyed the same way (one download each).
* A run is bounded (IMPORT_POSTS_PER_RUN new posts, IMPORT_RUN_SECONDS): what is left is
  reported as "not yet" and the next run continues with it.
* A dry run fetches and reads everything, writes nothing but its report.
* Posts arrive as drafts unless the admin chose to publish (and the old site had them
  published, with a date); every old path answers 301 to the new post.
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from ..content import ContentInvalid
from ..extensions import db
from ..media.images import ImageRefused
from ..media.service import save_upload
from ..models import ImportedItem, ImportRun, Tenant, utcnow
from . import html as htmlconv
from . import writer
from .fetch import Fetched, FetchError, fetch
from .sources import Source, SourceError, SourcePost, slugify


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _imported(tenant: Tenant, kind: str, key: str) -> ImportedItem | None:
    return db.session.scalars(
        select(ImportedItem).where(
            ImportedItem.tenant_id == tenant.id,
            ImportedItem.kind == kind,
            ImportedItem.key_hash == key_hash(key),
        )
    ).first()


@dataclass
class Limits:
    posts: int
    seconds: float


class Importer:
    def __init__(
        self,
        tenant: Tenant,
        run: ImportRun,
        fetcher: Callable[..., Fetched] = fetch,
        limits: Limits | None = None,
    ) -> None:
        config = current_app.config
        self.tenant = tenant
        self.run = run
        self.fetcher = fetcher
        self.limits = limits or Limits(
            int(config["IMPORT_POSTS_PER_RUN"]), float(config["IMPORT_RUN_SECONDS"])
        )
        self.report: list[dict] = []
        self.images: dict[str, str | None] = {}

    # -- images ----------------------------------------------------------------------

    def _image(self, url: str, alt: str = "") -> str | None:
        """The clinic's own URL for the image at `url` (downloaded once, full size), or
        None if it could not be fetched or is not an image."""
        if url in self.images:
            return self.images[url]
        found = _imported(self.tenant, "image", url)
        item_id = found.target_id if found else None
        if item_id is None:
            try:
                got = self.fetcher(url, max_bytes=current_app.config["MEDIA_MAX_BYTES"])
                name = urlsplit(got.url).path.rsplit("/", 1)[-1]
                item = save_upload(
                    self.tenant.id,
                    io.BytesIO(got.body),
                    filename=name,
                    alt=alt[:300],
                    actor="import",
                    source="import",
                )
            except (FetchError, ImageRefused, ValueError) as problem:
                current_app.logger.info("import: image %s not kept: %s", url[:200], problem)
                self.images[url] = None
                return None
            db.session.add(
                ImportedItem(
                    tenant_id=self.tenant.id,
                    kind="image",
                    key_hash=key_hash(url),
                    source_key=url,
                    target_id=item.id,
                    run_id=self.run.id,
                )
            )
            db.session.commit()
            item_id = item.id
        self.images[url] = writer.media_path(self.tenant, item_id)
        return self.images[url]

    # -- posts -----------------------------------------------------------------------

    def _row(self, post: SourcePost, action: str, why: str = "", new: str = "") -> None:
        self.report.append(
            {
                "title": post.title or post.slug or post.key,
                "old": post.old_paths,
                "action": action,
                "why": why,
                "new": new,
            }
        )

    def _one(self, post: SourcePost, old_hosts: set[str]) -> None:
        done = _imported(self.tenant, "post", post.key)
        if done is not None:
            path = writer.path_of(self.tenant, done.target_id)
            if path and not self.run.dry_run:
                writer.redirect_all(self.tenant, post.old_paths, path)
                db.session.commit()
            self._row(post, "skipped", "already imported", path or "")
            return
        if post.problem:
            self._row(post, "failed", post.problem)
            return
        if not htmlconv.plain_text(post.html, 50) and not htmlconv.image_urls(
            post.html, post.base_url
        ):
            self._row(post, "skipped", "no body")
            return
        title = post.title.strip() or post.slug.replace("-", " ").strip().capitalize()
        if not title:
            self._row(post, "skipped", "no title")
            return
        notes = []
        publish = self.run.publish and not post.draft
        if publish and post.published is None:
            publish = False
            notes.append("no date: kept as a draft")
        slug = slugify(post.slug or title) or "post"
        free = writer.free_slug(self.tenant, slug)
        if free != slug:
            notes.append(f"address {slug} was taken: {free}")
        if self.run.dry_run:
            images = htmlconv.image_urls(post.html, post.base_url)
            if images:
                notes.append(f"{len(images)} image(s)")
            self._row(post, "would import", "; ".join(notes), writer.post_path(free))
            return
        missing = []

        def image_for(url: str) -> str | None:
            local = self._image(url)
            if local is None:
                missing.append(url)
            return local

        body = htmlconv.to_markdown(post.html, post.base_url, image_for, old_hosts)
        cover_id = None
        if post.cover_url:
            cover = htmlconv.original_image_url(post.cover_url)
            if self._image(cover, title) is not None:
                cover_id = _imported(self.tenant, "image", cover).target_id
        if missing:
            notes.append(f"{len(missing)} image(s) could not be fetched")
        excerpt = htmlconv.plain_text(post.excerpt, 300) if post.excerpt else ""
        try:
            saved = writer.save(
                self.tenant,
                writer.Draft(
                    slug=free,
                    title=title,
                    body_md=body,
                    excerpt=excerpt,
                    author=post.author,
                    tags=[t for t in post.tags if slugify(t)],
                    published_at=post.published if publish else None,
                    cover_media_id=cover_id,
                ),
            )
        except ContentInvalid as refused:
            db.session.rollback()
            self._row(post, "failed", str(refused))
            return
        db.session.add(
            ImportedItem(
                tenant_id=self.tenant.id,
                kind="post",
                key_hash=key_hash(post.key),
                source_key=post.key,
                target_id=saved.id,
                run_id=self.run.id,
            )
        )
        path = writer.post_path(saved.slug)
        writer.redirect_all(self.tenant, post.old_paths, path)
        db.session.commit()
        self._row(post, "imported", "; ".join(notes), path)

    def execute(self, read: Callable[[], Source]) -> ImportRun:
        run = self.run
        started = time.monotonic()
        try:
            source = read()
        except (SourceError, FetchError) as problem:
            run.status, run.problem, run.finished_at = "failed", str(problem), utcnow()
            db.session.commit()
            return run
        run.kind = source.kind
        db.session.commit()
        old_hosts = {urlsplit(source.site_url).hostname or ""} - {""}
        old_hosts |= {urlsplit(p.key).hostname or "" for p in source.posts} - {""}
        seen: set[str] = set()
        new_posts = 0
        try:
            for post in source.posts:
                if post.key in seen:
                    self._row(post, "skipped", "duplicate (listed twice)")
                    continue
                seen.add(post.key)
                out_of_time = time.monotonic() - started > self.limits.seconds
                if new_posts >= self.limits.posts or out_of_time:
                    self._row(post, "not yet", "this run's limit: run the import again")
                    continue
                before = len(self.report)
                self._one(post, old_hosts)
                if self.report[before:] and self.report[-1]["action"] in (
                    "imported",
                    "would import",
                ):
                    new_posts += 1
            if not run.dry_run:
                for old, new in source.listing_redirects.items():
                    writer.redirect_all(self.tenant, [old], new)
        except BaseException as problem:
            db.session.rollback()
            run = db.session.get(ImportRun, run.id)
            run.status = "failed"
            run.problem = f"Stopped: {type(problem).__name__}: {str(problem)[:300]}"
            run.report = self.report
            run.finished_at = utcnow()
            db.session.commit()
            if not isinstance(problem, Exception):
                raise
            return run
        run.report = self.report
        run.status = "dry-run" if run.dry_run else "done"
        run.finished_at = utcnow()
        db.session.commit()
        return run
