"""Reading an old blog into `SourcePost`s: a Wix site, an RSS 2.0 or Atom feed, or a
WordPress export (WXR). Fetching goes through `fetch.fetch` (the SSRF guard); XML is
parsed with defusedxml / feedparser, never with entity expansion.

* **Wix**: `/sitemap.xml` is an index; its blog posts' sitemap lists every post (the
  feed `/blog-feed.xml` only holds the latest ~20). A post's body comes from the feed's
  `content:encoded` when the feed has the post, else from the post page itself (its
  article and its JSON-LD BlogPosting: title, date, author, image, keywords).
* **RSS / Atom**: every entry; the body from `content` (content:encoded) or `summary`.
* **WXR**: every item of type `post` (published, drafts and scheduled), its slug,
  categories and tags, excerpt, featured image (via the attachment it names).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
from bs4 import BeautifulSoup
from defusedxml import ElementTree

from .fetch import Fetched, FetchError, fetch


class SourceError(Exception):
    """The source cannot be read as a blog; `str()` says why, for the admin."""


@dataclass
class SourcePost:
    key: str  # stable identity across runs: the post's URL on the old site (or guid)
    title: str
    html: str  # "" when the source has no body for it
    base_url: str  # for relative links and images in `html`
    slug: str = ""
    old_paths: list[str] = field(default_factory=list)
    published: datetime | None = None
    author: str = ""
    tags: list[str] = field(default_factory=list)
    excerpt: str = ""
    cover_url: str | None = None
    draft: bool = False  # the old site had it unpublished
    has_body: bool = False  # html is the whole post (not a feed's summary)
    problem: str = ""  # why its body could not be read (reported, post skipped)


@dataclass
class Source:
    kind: str  # wix | rss | atom | wxr
    site_url: str  # the old site's home, for the report and relative links
    posts: list[SourcePost]
    # Old listing paths -> new ones (category/tag pages, the blog's home).
    listing_redirects: dict[str, str] = field(default_factory=dict)


# -- helpers ---------------------------------------------------------------------------

SLUG_CHARS = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    return SLUG_CHARS.sub("-", unquote(text).lower()).strip("-")[:120].strip("-")


def _slug_from_url(url: str) -> str:
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return slugify(segments[-1]) if segments else ""


def _path(url: str) -> str:
    return urlsplit(url).path or "/"


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _parse_date(text: str | None) -> datetime | None:
    text = (text or "").strip()
    if not text or text.startswith("0000"):
        return None
    try:
        return _utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    try:
        return _utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None


def _struct_date(entry) -> datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            return datetime(*value[:6], tzinfo=UTC)
    return None


def _xml(fetched: Fetched | bytes, what: str):
    body = fetched if isinstance(fetched, bytes) else fetched.body
    try:
        return ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise SourceError(f"{what} is not valid XML ({exc}).") from exc
    except Exception as exc:  # defusedxml refuses entity tricks with its own errors
        raise SourceError(f"{what} was refused: {type(exc).__name__}.") from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _locs(root) -> list[str]:
    return [
        (el.text or "").strip()
        for el in root.iter()
        if _local(el.tag) == "loc" and (el.text or "").strip()
    ]


# -- RSS and Atom ----------------------------------------------------------------------


def _feed_posts(data: bytes, base_url: str) -> tuple[str, str, list[SourcePost]]:
    """(kind, site link, posts) from RSS 2.0 or Atom bytes."""
    parsed = feedparser.parse(data, resolve_relative_uris=False, sanitize_html=False)
    version = parsed.get("version") or ""
    if not version or not (version.startswith("rss") or version.startswith("atom")):
        raise SourceError("This is not an RSS or Atom feed.")
    kind = "atom" if version.startswith("atom") else "rss"
    site = parsed.feed.get("link") or base_url
    posts = []
    for entry in parsed.entries:
        link = urljoin(base_url, entry.get("link") or "")
        key = link or entry.get("id") or ""
        if not key:
            continue
        body = ""
        if entry.get("content"):
            body = entry.content[0].get("value", "")
        summary = entry.get("summary", "")
        cover = None
        for media in entry.get("media_content", []) + entry.get("media_thumbnail", []):
            if media.get("url"):
                cover = urljoin(link or base_url, media["url"])
                break
        if cover is None:
            for enclosure in entry.get("enclosures", []):
                if (enclosure.get("type") or "").startswith("image/") and enclosure.get("href"):
                    cover = urljoin(link or base_url, enclosure["href"])
                    break
        posts.append(
            SourcePost(
                key=key,
                title=(entry.get("title") or "").strip(),
                html=body or summary,
                base_url=link or base_url,
                slug=_slug_from_url(link) if link else "",
                old_paths=[_path(link)] if link else [],
                published=_struct_date(entry),
                author=(entry.get("author") or "").strip(),
                tags=[t.get("term", "").strip() for t in entry.get("tags", []) if t.get("term")],
                excerpt=summary if body else "",
                cover_url=cover,
                has_body=bool(body.strip()),
            )
        )
    return kind, site, posts


# -- WordPress export (WXR) ------------------------------------------------------------

WP = "{http://wordpress.org/export/1.2/}"


def _wp(el, name: str) -> str:
    for child in el:
        if _local(child.tag) == name and child.tag.startswith("{http://wordpress.org/export/"):
            return (child.text or "").strip()
    return ""


def _child(el, local: str, namespace_start: str = "") -> str:
    for child in el:
        if _local(child.tag) == local and child.tag.startswith(namespace_start):
            return child.text or ""
    return ""


def wxr_posts(data: bytes) -> Source:
    root = _xml(data, "The WordPress export")
    channel = root.find("channel")
    if channel is None or not any(
        c.tag.startswith("{http://wordpress.org/export/") for c in channel
    ):
        raise SourceError("This is not a WordPress export (WXR) file.")
    site = _child(channel, "link") or "/"
    attachments: dict[str, str] = {}
    items = channel.findall("item")
    for item in items:
        if _wp(item, "post_type") == "attachment":
            attachments[_wp(item, "post_id")] = _wp(item, "attachment_url")
    posts = []
    listing: dict[str, str] = {}
    for item in items:
        if _wp(item, "post_type") != "post":
            continue
        status = _wp(item, "status")
        if status in ("trash", "auto-draft", "inherit"):
            continue
        link = _child(item, "link").strip()
        slug = slugify(_wp(item, "post_name")) or (_slug_from_url(link) if link else "")
        tags = []
        for category in item.findall("category"):
            name = (category.text or "").strip()
            nicename = category.get("nicename") or slugify(name)
            if not name:
                continue
            tags.append(name)
            kind = "category" if category.get("domain") == "category" else "tag"
            listing[f"/{kind}/{nicename}"] = f"/blog/tag/{slugify(name)}"
        thumbnail = None
        for meta in item:
            if _local(meta.tag) == "postmeta" and _wp(meta, "meta_key") == "_thumbnail_id":
                thumbnail = attachments.get(_wp(meta, "meta_value"))
        date = _parse_date(_wp(item, "post_date_gmt")) or _parse_date(_child(item, "pubDate"))
        guid = _child(item, "guid").strip()
        key = link or guid or f"wxr:{_wp(item, 'post_id')}"
        paths = [_path(link)] if link and urlsplit(link).path not in ("", "/") else []
        posts.append(
            SourcePost(
                key=key,
                title=_child(item, "title").strip(),
                html=_child(item, "encoded", "{http://purl.org/rss/1.0/modules/content/"),
                base_url=link or site,
                slug=slug,
                old_paths=paths,
                published=date,
                author=_child(item, "creator").strip(),
                tags=tags,
                excerpt=_child(
                    item, "encoded", "{http://wordpress.org/export/1.2/excerpt/"
                ).strip(),
                cover_url=thumbnail or None,
                draft=status != "publish",
                has_body=True,
            )
        )
    return Source(kind="wxr", site_url=site, posts=posts, listing_redirects=listing)


# -- Wix -------------------------------------------------------------------------------


def _json_ld_posting(soup) -> dict:
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except ValueError:
            continue
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict) and item.get("@type") in ("BlogPosting", "Article"):
                return item
    return {}


def _meta(soup, key: str) -> str:
    tag = soup.find("meta", attrs={"property": key}) or soup.find("meta", attrs={"name": key})
    return (tag.get("content") or "").strip() if tag else ""


def wix_post_page(page: Fetched, post: SourcePost) -> None:
    """Fill what the feed did not give from the post page: body, title, date, author,
    cover, keywords."""
    soup = BeautifulSoup(page.text, "html.parser")
    posting = _json_ld_posting(soup)
    body = (
        soup.find(attrs={"data-hook": "post-description"})
        or soup.find("article")
        or soup.find("main")
    )
    if body is not None:
        for hidden in body.find_all(attrs={"data-hook": ["post-title", "post-footer"]}):
            hidden.decompose()
        if not post.has_body:
            post.html = body.decode_contents()
            post.has_body = bool(body.get_text().strip())
    post.title = (
        post.title
        or posting.get("headline")
        or _meta(soup, "og:title")
        or (soup.title.string.strip() if soup.title and soup.title.string else "")
    )
    post.published = post.published or _parse_date(
        posting.get("datePublished") or _meta(soup, "article:published_time")
    )
    author = posting.get("author")
    if not post.author:
        if isinstance(author, dict):
            post.author = str(author.get("name", ""))
        elif isinstance(author, list) and author and isinstance(author[0], dict):
            post.author = str(author[0].get("name", ""))
    image = posting.get("image")
    if isinstance(image, dict):
        image = image.get("url")
    elif isinstance(image, list):
        image = image[0] if image and isinstance(image[0], str) else None
    post.cover_url = (
        post.cover_url
        or (urljoin(page.url, image) if isinstance(image, str) and image else None)
        or (urljoin(page.url, _meta(soup, "og:image")) if _meta(soup, "og:image") else None)
    )
    if not post.tags:
        keywords = posting.get("keywords") or ""
        if isinstance(keywords, str):
            keywords = [k for k in keywords.split(",")]
        post.tags = [str(k).strip() for k in keywords if str(k).strip()]
    post.excerpt = post.excerpt or _meta(soup, "og:description") or _meta(soup, "description")


def wix_site(site_url: str, fetcher: Callable[[str], Fetched] = fetch) -> Source:
    parts = urlsplit(site_url)
    base = f"{parts.scheme}://{parts.netloc}/"  # the sitemap lives at the site's root
    index = _xml(fetcher(urljoin(base, "sitemap.xml")), "The site's sitemap.xml")
    locs = _locs(index)
    if _local(index.tag) == "sitemapindex":
        blog_maps = [u for u in locs if "blog-posts" in u] or [u for u in locs if "post" in u]
        if not blog_maps:
            raise SourceError("The sitemap lists no blog posts' sitemap (blog-posts-sitemap.xml).")
        post_urls: list[str] = []
        for map_url in blog_maps:
            for url in _locs(_xml(fetcher(map_url), map_url)):
                if url not in post_urls:
                    post_urls.append(url)
    else:
        post_urls = [u for u in locs if "/post/" in u or "/single-post/" in u]
    by_link: dict[str, SourcePost] = {}
    try:
        feed = fetcher(urljoin(base, "blog-feed.xml"))
    except FetchError:
        feed = None
    if feed is not None:
        try:
            _, _, entries = _feed_posts(feed.body, base)
        except SourceError:
            entries = []
        for entry in entries:
            by_link[entry.key.rstrip("/")] = entry
    posts = []
    for url in post_urls:
        post = by_link.get(url.rstrip("/"))
        if post is None:
            post = SourcePost(key=url, title="", html="", base_url=url)
        post.key = url
        post.slug = post.slug or _slug_from_url(url)
        post.old_paths = [_path(url)]
        if not post.has_body:
            try:
                wix_post_page(fetcher(url), post)
            except FetchError as problem:
                post.problem = str(problem)
        if post.published is not None and _path(url).startswith("/post/"):
            # Wix's older address for the same post (its date, in UTC, and slug).
            post.old_paths.append(f"/single-post/{post.published:%Y/%m/%d}/{post.slug}")
        posts.append(post)
    listing = {"/blog": "/blog"}
    for post in posts:
        for tag in post.tags:
            listing[f"/blog/categories/{slugify(tag)}"] = f"/blog/tag/{slugify(tag)}"
            listing[f"/blog/tags/{slugify(tag)}"] = f"/blog/tag/{slugify(tag)}"
    return Source(kind="wix", site_url=base, posts=posts, listing_redirects=listing)


# -- what a URL or a file is -----------------------------------------------------------


def from_bytes(data: bytes, base_url: str = "") -> Source:
    """An uploaded file: a WXR export, or an RSS/Atom feed."""
    head = data[:4000].decode("utf-8", errors="replace")
    if "wordpress.org/export/" in head:
        return wxr_posts(data)
    kind, site, posts = _feed_posts(data, base_url)
    return Source(kind=kind, site_url=site, posts=posts)


def from_url(url: str, fetcher: Callable[[str], Fetched] = fetch) -> Source:
    """A feed's URL (RSS, Atom, WXR), or a site's home page (Wix: its sitemap)."""
    page = fetcher(url)
    content_type = page.content_type.lower()
    head = page.body[:4000].lstrip()
    if b"wordpress.org/export/" in head:
        return wxr_posts(page.body)
    if (
        "xml" in content_type
        or head.startswith(b"<?xml")
        or head.startswith(b"<rss")
        or head.startswith(b"<feed")
    ):
        kind, site, posts = _feed_posts(page.body, page.url)
        return Source(kind=kind, site_url=site, posts=posts)
    return wix_site(page.url, fetcher)
