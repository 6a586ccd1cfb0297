"""The post editor's form, and turning it into what the write path takes.

The form only carries text: every rule (lengths, slugs, alt text, tags) is checked by
`meridian.content` and its refusals are shown next to the matching field here.
"""

from __future__ import annotations

from datetime import date, datetime, time

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, StringField, TextAreaField, TimeField
from wtforms.validators import Optional

from ..content import PostData
from ..content.schedule import local_instant, local_parts
from ..models import MediaItem, Post, Tenant, utcnow
from ..params import ascii_int

ACTIONS = ("save", "publish", "schedule", "unpublish")
# Where each refusal of the write path is shown.
FIELD_OF = {"publish_at": "publish_date", "cover_media_id": "cover_media"}


class PostForm(FlaskForm):
    title = StringField("Title")
    body_md = TextAreaField("Text")
    excerpt = TextAreaField("Excerpt")
    slug = StringField("Address")
    tags = StringField("Tags")
    author = StringField("Author")
    # Rendered by the template as one radio button per photo (with its thumbnail).
    cover_media = StringField("Cover photo")
    cover_image = StringField("Cover image address")
    cover_alt = StringField("Describe the cover image")
    seo_title = StringField("Title for search engines and social media")
    description = TextAreaField("Description for search engines and social media")
    publish_date = DateField("Date", validators=[Optional()])
    publish_time = TimeField("Time", validators=[Optional()])
    # The revision the editor opened on, to tell a writer when someone saved meanwhile.
    revision = HiddenField()

    def offer_media(self, items: list[MediaItem]) -> None:
        self.media_choices = [("", "No cover photo", None)] + [
            (str(item.id), item.filename or f"Photo {item.id}", item) for item in items
        ]

    def fill_from(self, post: Post | None, zone: str, data: PostData | None = None) -> None:
        """A GET: the post's saved values (or `data`, e.g. a revision being looked at)."""
        data = data or (PostData.of(post) if post is not None else PostData())
        for name in ("title", "body_md", "excerpt", "slug", "author", "cover_alt", "seo_title"):
            getattr(self, name).data = getattr(data, name)
        self.description.data = data.description
        self.cover_image.data = data.cover_image or ""
        self.cover_media.data = str(data.cover_media_id) if data.cover_media_id else ""
        self.tags.data = ", ".join(data.tags)
        if post is not None and post.published_at is not None and not post.is_live():
            self.publish_date.data, self.publish_time.data = local_parts(post.published_at, zone)

    def to_data(self, post: Post | None) -> PostData:
        """What was typed, as the write path takes it (status kept as it is)."""
        media = (self.cover_media.data or "").strip()
        return PostData(
            title=self.title.data or "",
            slug=self.slug.data or "",
            body_md=self.body_md.data or "",
            excerpt=self.excerpt.data or "",
            description=self.description.data or "",
            seo_title=self.seo_title.data or "",
            author=self.author.data or "",
            cover_media_id=ascii_int(media),
            cover_image=self.cover_image.data or None,
            cover_alt=self.cover_alt.data or "",
            tags=[name for name in (self.tags.data or "").split(",") if name.strip()],
            published_at=post.published_at if post is not None else None,
        )

    def show_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            field = getattr(self, FIELD_OF.get(name, name), None)
            if field is not None:
                field.errors = (
                    [*field.errors, message] if isinstance(field.errors, list) else [message]
                )


def publication(
    action: str, post: Post | None, form: PostForm, tenant: Tenant
) -> tuple[datetime | None, str]:
    """When the post goes live after `action`, and a note for the writer.

    Raises ContentInvalid (on `publish_at`) for a schedule in the past or in a DST gap.
    """
    current = post.published_at if post is not None else None
    if action == "publish":
        return (current if post is not None and post.is_live() else utcnow()), ""
    if action == "unpublish":
        return None, ""
    if action == "schedule":
        day: date | None = form.publish_date.data
        clock: time | None = form.publish_time.data
        if day is None or clock is None:
            from ..content import ContentInvalid

            raise ContentInvalid({"publish_at": "Choose the date and the time to publish."})
        return local_instant(day, clock, zone_of(tenant), utcnow())
    return current, ""


def zone_of(tenant: Tenant) -> str:
    location = tenant.primary_location
    return location.timezone if location is not None else "UTC"
