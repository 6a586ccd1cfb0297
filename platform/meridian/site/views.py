"""Public reading pages. Every one is cacheable and sets no cookie."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, g, send_from_directory, url_for

from ..content.logo import logo_box
from ..directory import views as directory_views
from ..engagement.forms import CommentForm, ContactForm, SubscribeForm
from ..engagement.queries import counts_for, threads_for
from ..extensions import db
from ..models import Location, Post, Tenant, utcnow
from ..pagecache import public_page
from ..params import page_arg
from ..templating import render_site
from ..tenancy import current_tenant, get_for_tenant_or_404, on_clinic_host
from ..themes import get_theme
from ..urls import origin_for, tenant_url
from . import bp, og, queries, seo


def _page_of_posts(tag=None):
    """The requested page of live posts; 404 for a malformed or out-of-range `?page=`."""
    page = queries.paginate_posts(page_arg(), current_app.config["POSTS_PER_PAGE"], tag)
    if page.page > max(page.pages, 1):
        abort(404)
    return page


@public_page()
def home():
    """The clinic's pitch, services, latest posts and where to find it."""
    tenant = current_tenant()
    hours = queries.hours_by_location()
    services = queries.services()
    return render_site(
        "home.html",
        services=services,
        consultation=queries.consultation(services),
        team=queries.team(services),
        posts=queries.recent_posts(limit=3, covers=True),
        faqs=queries.faqs(limit=3),
        hours=hours,
        weeks=queries.opening_weeks(hours),
        json_ld=seo.clinic_graph(tenant, hours),
        canonical=tenant_url(tenant, "index"),
    )


@bp.get("/blog")
@public_page("page")
def blog():
    tenant = current_tenant()
    page = _page_of_posts()
    return render_site(
        "blog.html",
        page=page,
        tag=None,
        engagement_counts=counts_for(page.items),
        canonical=tenant_url(tenant, "site.blog", **({"page": page.page} if page.page > 1 else {})),
    )


@bp.get("/blog/tag/<slug:slug>")
@public_page("page")
def tag(slug: str):
    tenant = current_tenant()
    the_tag = queries.tag_or_404(slug)
    page = _page_of_posts(the_tag)
    extra = {"page": page.page} if page.page > 1 else {}
    return render_site(
        "blog.html",
        page=page,
        tag=the_tag,
        engagement_counts=counts_for(page.items),
        canonical=tenant_url(tenant, "site.tag", slug=the_tag.slug, **extra),
    )


@bp.get("/blog/<slug:slug>")
@public_page()
def post(slug: str):
    the_post, likes = queries.live_post_with_likes_or_404(slug)
    return render_post(the_post, likes)


def render_post(the_post: Post, likes: int, preview: dict | None = None, **forms: object) -> str:
    """The post page; engagement views pass a form with the reader's input and errors.

    The studio's preview and shared preview links render through here too, so a preview
    is exactly the page visitors will get (`preview` adds the banner and `noindex`; a
    draft shows the date it would get if published now, and no comments).
    """
    tenant = current_tenant()
    if preview is not None and the_post.published_at is None:
        the_post = _AsIfPublished(the_post, utcnow())
    return render_site(
        "post.html",
        post=the_post,
        recent=queries.recent_posts(limit=5, exclude_id=the_post.id),
        json_ld=seo.post_graph(tenant, the_post),
        canonical=tenant_url(tenant, "site.post", slug=the_post.slug),
        threads=threads_for(the_post) if preview is None else [],
        likes=likes,
        preview=preview,
        book_url=post_book_url(the_post),
        **({"comment_form": CommentForm(), "subscribe_form": SubscribeForm()} | forms),
    )


def post_book_url(the_post: Post) -> str:
    """Every "Book" link on a post's page (call to action, header, footer) names the post,
    so a booking made from it is counted for it. The same static link for every reader:
    the page stays cacheable and sets no cookie; no query is needed."""
    if "booking.start" not in current_app.view_functions:
        return url_for("site.contact")
    return url_for("booking.start", **{"from": the_post.id})


class _AsIfPublished:
    """A draft seen in a preview: the post with the publication date it would get now."""

    def __init__(self, post, when) -> None:
        self._post = post
        self.published_at = when

    def __getattr__(self, name: str):
        return getattr(self._post, name)


@bp.get("/faq")
@public_page()
def faq():
    tenant = current_tenant()
    return render_site("faq.html", faqs=queries.faqs(), canonical=tenant_url(tenant, "site.faq"))


@bp.get("/contact")
@public_page()
def contact():
    return render_contact()


def render_contact(**forms: object) -> str:
    """The contact page; the contact form's view passes the reader's input and errors."""
    tenant = current_tenant()
    hours = queries.hours_by_location()
    return render_site(
        "contact.html",
        hours=hours,
        weeks=queries.opening_weeks(hours),
        json_ld=seo.clinic_graph(tenant, hours),
        canonical=tenant_url(tenant, "site.contact"),
        **({"contact_form": ContactForm()} | forms),
    )


@bp.get("/contact/<slug:slug>")
@public_page()
def location(slug: str):
    tenant = current_tenant()
    the_location = get_for_tenant_or_404(Location, slug=slug)
    hours = queries.hours_by_location()
    return render_site(
        "location.html",
        location=the_location,
        hours=hours.get(the_location.id, []),
        week=queries.opening_weeks(hours)[the_location.id],
        json_ld=seo.clinic_graph(tenant, hours),
        canonical=tenant_url(tenant, "site.location", slug=slug),
    )


@bp.get("/feed.xml")
@public_page()
def feed():
    tenant = current_tenant()
    posts = queries.recent_posts(limit=20)
    body = render_site("feed.xml", posts=posts, tenant_url=tenant_url, tenant=tenant)
    return body, 200, {"Content-Type": "application/atom+xml; charset=utf-8"}


@public_page()
def _clinic_sitemap():
    posts, tags = queries.sitemap_entries()
    body = render_site("sitemap.xml", posts=posts, tags=tags, tenant_url=tenant_url)
    return body, 200, {"Content-Type": "application/xml; charset=utf-8"}


@public_page()
def _clinic_robots():
    tenant = current_tenant()
    text = f"User-agent: *\nAllow: /\n\nSitemap: {tenant_url(tenant, 'site.sitemap')}\n"
    return text, 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/sitemap.xml")
def sitemap():
    """The clinic's sitemap; on the platform host, the platform's own."""
    return _clinic_sitemap() if on_clinic_host() else directory_views.sitemap()


@bp.get("/robots.txt")
def robots():
    return _clinic_robots() if on_clinic_host() else directory_views.robots()


sitemap.public_page = robots.public_page = True  # type: ignore[attr-defined]


@bp.get("/og.png")
@public_page()
def og_image():
    """The Open Graph card (PNG): drawn once per content version, then cached."""
    tenant = current_tenant()
    body = og.card_png(tenant.name, tenant.tagline, tenant.brand_primary, tenant.brand_accent)
    return body, 200, {"Content-Type": "image/png"}


@bp.get("/theme.css")
@public_page()
def theme():
    """Brand colours as CSS custom properties: a file, so the CSP needs no inline style."""
    tenant = current_tenant()
    css = f":root{{--brand:{tenant.brand_primary};--accent:{tenant.brand_accent};}}\n"
    return css, 200, {"Content-Type": "text/css; charset=utf-8"}


@bp.get("/brand/<path:filename>")
def brand_asset(filename: str):
    """Files from the tenant bundle's static/ folder (logo, images); `media/<name>` is a
    copy from the media library (a logo chosen in the studio)."""
    if filename.startswith("media/"):
        from ..media.views import copy

        return copy(filename.removeprefix("media/"))
    tenant = current_tenant()
    folder = Path(current_app.config["TENANTS_DIR"]) / tenant.slug / "static"
    return send_from_directory(folder, filename, max_age=86_400)


#: Social networks with a mark in the icon sprite (others get a globe).
SOCIAL_ICONS = frozenset({"facebook", "instagram", "twitter", "x", "pinterest", "linkedin"})


def consultation_url(location=None) -> str:
    """The booking flow with the clinic's free consultation already chosen (and the
    location, if given); plain /book if it offers none. Queries only when called."""
    chosen = queries.consultation(queries.services())
    return url_for(
        "booking.start",
        service=chosen.id if chosen else None,
        location=location.id if location is not None else None,
    )


def _unavailable() -> Tenant | None:
    """A suspended clinic whose 503 page is being rendered (its name and theme only)."""
    ref = g.get("unavailable_ref")
    return db.session.get(Tenant, ref.id) if ref is not None else None


@bp.app_context_processor
def site_context() -> dict[str, object]:
    """`site` (the tenant) and helpers for every template."""
    # The booking blueprint arrives in a later wave; until then "Book" goes to Contact.
    has_booking = "booking.start" in current_app.view_functions
    tenant = g.get("tenant")
    unavailable = _unavailable()
    looks = tenant if tenant is not None else unavailable
    return {
        "site": tenant,
        "unavailable": unavailable,
        "theme": get_theme(looks.theme if looks is not None else None),
        "has_booking": has_booking,
        "social_icons": SOCIAL_ICONS,
        "logo_box": logo_box,
        "tenant_url": tenant_url,
        "origin_for": origin_for,
        "now_year": utcnow().year,
        "consultation_url": consultation_url,
        "book_url": url_for("booking.start" if has_booking else "site.contact")
        if g.get("tenant") is not None
        else None,
    }
