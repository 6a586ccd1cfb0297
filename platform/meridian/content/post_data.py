"""What a writer says a post should be (`PostData`), its limits, and what a save did."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime

from ..models import Post, PostRevision
from .fields import line, slugify, text_block

LIMITS = {
    "title": 200,
    "slug": 120,
    "description": 300,
    "seo_title": 200,
    "author": 120,
    "cover_image": 200,
    "cover_alt": 300,
    "excerpt": 1_000,
    "body_md": 100_000,
}
MAX_TAGS = 20


@dataclass
class PostData:
    """What a writer says a post should be (the form, a bundle file, an imported item)."""

    title: str = ""
    slug: str = ""
    body_md: str = ""
    excerpt: str = ""
    description: str = ""
    seo_title: str = ""
    author: str = ""
    cover_media_id: int | None = None
    cover_image: str | None = None
    cover_alt: str = ""
    tags: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    # Bundles and imports keep the source's "last changed" date; the studio leaves it None.
    updated_at: datetime | None = None

    @classmethod
    def of(cls, post: Post | PostRevision) -> PostData:
        tags = post.tags if isinstance(post, PostRevision) else [t.name for t in post.tags]
        skip = {"tags", "updated_at"}
        values = {f.name: getattr(post, f.name) for f in fields(cls) if f.name not in skip}
        return cls(**values, tags=list(tags))

    def tidy(self) -> PostData:
        """Trimmed single lines, Unix line ends, tags without repeats (first spelling kept)."""
        seen: dict[str, str] = {}
        for name in self.tags:
            name = line(name)
            if name and slugify(name, 63) not in seen:
                seen[slugify(name, 63)] = name
        return PostData(
            title=line(self.title),
            slug=line(self.slug).lower(),
            body_md=text_block(self.body_md),
            excerpt=text_block(self.excerpt),
            description=line(self.description),
            seo_title=line(self.seo_title),
            author=line(self.author),
            cover_media_id=self.cover_media_id,
            # A photo from the library wins over a typed path.
            cover_image=None if self.cover_media_id else (line(self.cover_image) or None),
            cover_alt=line(self.cover_alt),
            tags=list(seen.values()),
            published_at=self.published_at,
            updated_at=self.updated_at,
        )


@dataclass
class Saved:
    post: Post
    created: bool
    changes: dict[str, list]
    revision: PostRevision | None

    @property
    def changed(self) -> bool:
        return self.created or bool(self.changes)
