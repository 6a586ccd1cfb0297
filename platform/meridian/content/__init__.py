"""The one write path for what a clinic publishes.

The studio, the bundle loader and (later) the blog import save posts, tags, FAQs,
locations, hours, closures, services and settings only through these functions, so
the rules live once: tidy and bounded text, Markdown rendered and sanitised when saved,
slugs unique per clinic, a revision for every post save, a 301 when a published post
moves, the content version bumped (by the flush hook in `tenancy`), and every change
announced to the audit hook (`audit.content_changed`).

Functions take the tenant explicitly (bundles and the CLI have no request) and filter
by it; in a request the tenancy guard adds the same criterion as a second lock. They
flush but never commit: the caller owns the transaction, so a refused change leaves
nothing half-made. Refusals are `ContentInvalid` with a message per field.
"""

from .audit import Change, content_changed
from .errors import ContentInvalid
from .posts import PostData, Saved, autosave, delete_post, post_path, restore, save_post

__all__ = [
    "Change",
    "ContentInvalid",
    "PostData",
    "Saved",
    "autosave",
    "content_changed",
    "delete_post",
    "post_path",
    "restore",
    "save_post",
]
