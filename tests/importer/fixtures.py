"""Old blogs made by the tests: a Wix-shaped site (sitemap index, blog posts' sitemap,
blog feed with and without content:encoded, post pages with JSON-LD, images whose
HTML names a resized copy), RSS and Atom feeds made with feedgen, a WordPress export."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field

from feedgen.feed import FeedGenerator
from PIL import Image

HOSTILE = (
    '<script>alert("x")</script><p onclick="steal()">Warm up first.</p>'
    '<img src="x.png" onerror="steal()" style="display:none">'
    '<a href="javascript:steal()">click</a><iframe src="https://evil.example/"></iframe>'
    "<style>p{color:red}</style>"
)


def png(width: int = 1600, height: int = 1000, colour=(30, 90, 120)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


@dataclass
class WixPost:
    slug: str
    title: str
    date: str  # ISO
    body: str  # HTML
    in_feed: bool = True
    feed_body: bool = True  # content:encoded in the feed
    tags: list[str] = field(default_factory=list)
    author: str = "Aroha Ngata"
    image: str | None = None  # a Wix media id like "abc123_d1~mv2.png"


def wix_image_html(site, media_id: str, alt: str) -> str:
    """The <img> Wix writes: a resized copy's URL (the original is not named)."""
    resized = site.url(f"/media/{media_id}/v1/fill/w_740,h_463,al_c,q_85/{alt}.webp")
    return f'<img src="{resized}" alt="{alt}">'


def serve_wix(site, posts: list[WixPost]) -> None:
    site.add(
        "/",
        "<!doctype html><html><head><title>Old Wix site</title></head><body>Home</body></html>",
        Content_Type="text/html; charset=utf-8",
    )
    site.add("/blog", "<!doctype html><title>Blog</title>", Content_Type="text/html")
    site.add(
        "/sitemap.xml",
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{site.url('/pages-sitemap.xml')}</loc></sitemap>"
        f"<sitemap><loc>{site.url('/blog-posts-sitemap.xml')}</loc></sitemap>"
        f"<sitemap><loc>{site.url('/blog-categories-sitemap.xml')}</loc></sitemap>"
        "</sitemapindex>",
        Content_Type="application/xml",
    )
    site.add(
        "/blog-posts-sitemap.xml",
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>{site.url('/post/' + p.slug)}</loc></url>" for p in posts)
        + "</urlset>",
        Content_Type="application/xml",
    )
    feed = FeedGenerator()
    feed.load_extension("dc")
    feed.title("Old Wix blog")
    feed.link(href=site.url("/blog"), rel="alternate")
    feed.description("The latest posts")
    for post in [p for p in posts if p.in_feed]:
        body = post.body
        if post.image:
            body = wix_image_html(site, post.image, post.slug) + body
        entry = feed.add_entry()
        entry.title(post.title)
        entry.link(href=site.url("/post/" + post.slug))
        entry.guid(site.url("/post/" + post.slug), permalink=True)
        entry.pubDate(post.date)
        entry.description("A short summary only.")
        entry.dc.dc_creator(post.author)
        for tag in post.tags:
            entry.category(term=tag)
        if post.feed_body:
            entry.content(body, type="CDATA")
    site.add("/blog-feed.xml", feed.rss_str(), Content_Type="application/rss+xml")
    for post in posts:
        body = post.body
        if post.image:
            body = wix_image_html(site, post.image, post.slug) + body
        posting = {
            "@context": "https://schema.org",
            "@type": "BlogPosting",
            "headline": post.title,
            "datePublished": post.date,
            "author": {"@type": "Person", "name": post.author},
            "keywords": ",".join(post.tags),
        }
        if post.image:
            posting["image"] = {
                "@type": "ImageObject",
                "url": site.url(f"/media/{post.image}/v1/fill/w_1200,h_750/{post.slug}.webp"),
            }
        site.add(
            "/post/" + post.slug,
            "<!doctype html><html><head>"
            f"<title>{post.title} | Old Wix site</title>"
            f'<meta property="og:title" content="{post.title}">'
            f'<script type="application/ld+json">{json.dumps(posting)}</script>'
            '<script>window.wixBiSession = {"tracking": true}</script>'
            "</head><body><header>Site menu</header><main>"
            f'<h1 data-hook="post-title">{post.title}</h1>'
            f'<div data-hook="post-description"><article>{body}</article></div>'
            '<div data-hook="post-footer">Share this post</div>'
            "</main><footer>© Old site</footer></body></html>",
            Content_Type="text/html; charset=utf-8",
        )
        if post.image:
            site.add(f"/media/{post.image}", png(), Content_Type="image/png")


def atom_feed(site, entries: list[dict]) -> bytes:
    feed = FeedGenerator()
    feed.id(site.url("/"))
    feed.title("Atom blog")
    feed.link(href=site.url("/"), rel="alternate")
    feed.updated("2025-01-01T00:00:00Z")
    for item in entries:
        entry = feed.add_entry()
        entry.id(item["link"])
        entry.title(item["title"])
        entry.link(href=item["link"])
        entry.updated(item.get("updated", "2025-01-01T00:00:00Z"))
        if item.get("published"):
            entry.published(item["published"])
        entry.content(item["body"], type="html")
        for tag in item.get("tags", []):
            entry.category(term=tag)
    return feed.atom_str()


def rss_feed(site, entries: list[dict]) -> bytes:
    feed = FeedGenerator()
    feed.title("RSS blog")
    feed.link(href=site.url("/"), rel="alternate")
    feed.description("An RSS 2.0 feed")
    for item in entries:
        entry = feed.add_entry()
        entry.title(item["title"])
        entry.link(href=item["link"])
        entry.guid(item["link"], permalink=True)
        if item.get("date"):
            entry.pubDate(item["date"])
        if item.get("content", True):
            entry.content(item["body"], type="CDATA")
        else:
            entry.description(item["body"])
        if item.get("image"):
            entry.enclosure(item["image"], "0", "image/png")
    return feed.rss_str()


def wxr(site_url: str, image_url: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"
  xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Physio notes</title>
  <link>{site_url}</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <item>
    <title>Desk stretches</title>
    <link>{site_url}/2023/04/12/desk-stretches/</link>
    <dc:creator><![CDATA[Mere]]></dc:creator>
    <content:encoded><![CDATA[<p>Stand up every hour.</p><!-- wp:image --><img src="{image_url.replace(".png", "-300x200.png")}" alt="A desk"><script>x()</script>]]></content:encoded>
    <excerpt:encoded><![CDATA[Stretches for the office.]]></excerpt:encoded>
    <wp:post_id>11</wp:post_id>
    <wp:post_date_gmt>2023-04-12 08:30:00</wp:post_date_gmt>
    <wp:post_name>desk-stretches</wp:post_name>
    <wp:status>publish</wp:status>
    <wp:post_type>post</wp:post_type>
    <category domain="category" nicename="posture"><![CDATA[Posture]]></category>
    <category domain="post_tag" nicename="office"><![CDATA[Office]]></category>
    <wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>90</wp:meta_value></wp:postmeta>
  </item>
  <item>
    <title>Half-written idea</title>
    <link>{site_url}/?p=12</link>
    <content:encoded><![CDATA[<p>Notes for later.</p>]]></content:encoded>
    <wp:post_id>12</wp:post_id>
    <wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>
    <wp:post_name></wp:post_name>
    <wp:status>draft</wp:status>
    <wp:post_type>post</wp:post_type>
  </item>
  <item>
    <title>About us</title>
    <link>{site_url}/about/</link>
    <content:encoded><![CDATA[<p>A page, not a post.</p>]]></content:encoded>
    <wp:post_id>13</wp:post_id>
    <wp:status>publish</wp:status>
    <wp:post_type>page</wp:post_type>
  </item>
  <item>
    <title>desk.png</title>
    <wp:post_id>90</wp:post_id>
    <wp:post_type>attachment</wp:post_type>
    <wp:attachment_url>{image_url}</wp:attachment_url>
  </item>
</channel>
</rss>
""".encode()
