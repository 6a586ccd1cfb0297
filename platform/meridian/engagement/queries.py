"""What reading pages show of engagement: one statement per page, nothing per item."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..extensions import db
from ..models import Comment, Like, Post
from ..tenancy import current_tenant, tenant_select


def like_count_column():
    """A correlated count of a post's likes, to add to the post's own query."""
    return (
        select(func.count(Like.id))
        .where(Like.post_id == Post.id, Like.tenant_id == Post.tenant_id)
        .correlate(Post)
        .scalar_subquery()
        .label("like_count")
    )


def _comment_count_column():
    return (
        select(func.count(Comment.id))
        .where(
            Comment.post_id == Post.id,
            Comment.tenant_id == Post.tenant_id,
            Comment.status == "approved",
        )
        .correlate(Post)
        .scalar_subquery()
    )


@dataclass
class Thread:
    """An approved comment and the clinic's approved replies to it."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)


def threads_for(post: Post) -> list[Thread]:
    """The approved comments of a post, oldest first, replies under their comment."""
    rows = db.session.scalars(
        tenant_select(Comment, Comment.post_id == post.id, Comment.status == "approved").order_by(
            Comment.created_at, Comment.id
        )
    ).all()
    threads: dict[int, Thread] = {}
    for row in rows:
        if row.parent_id is None:
            threads[row.id] = Thread(row)
    for row in rows:
        if row.parent_id is not None and row.parent_id in threads:
            threads[row.parent_id].replies.append(row)
    return list(threads.values())


def counts_for(posts: list[Post]) -> dict[int, tuple[int, int]]:
    """{post id: (approved comments, likes)} for a page of posts, in one statement."""
    if not posts:
        return {}
    stmt = select(Post.id, _comment_count_column(), like_count_column()).where(
        Post.tenant_id == current_tenant().id, Post.id.in_([post.id for post in posts])
    )
    return {post_id: (comments, likes) for post_id, comments, likes in db.session.execute(stmt)}
