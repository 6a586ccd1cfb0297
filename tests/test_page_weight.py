"""A post page with its HTML, CSS, fonts and icons weighs under 100 KB in every theme,
all from its own host.

Measured on the bytes the server sends (no compression assumed, so a proxy that
gzips only makes it lighter), counting every font file a stylesheet names except the
faces limited by `unicode-range` (accented letters, macrons), which a browser fetches only
for a page that uses one of their characters. The post's own photographs (cover and body)
are not counted; the clinic's logo, icon and icon sprite are. The real browser's view of
the same thing is in tests/browser/test_page_weight_browser.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from meridian.themes import THEMES

HOST = "zak-clinic.localhost"
POSTS = {
    "zak-clinic.localhost": "/blog/can-acupuncture-help-with-dry-eye",
    "acute-acupuncture.localhost": "/blog/acupuncture-for-lower-back-pain",
}
BUDGET = 100 * 1024


class Subresources(HTMLParser):
    """What a browser would fetch to show the page: styles, scripts, fonts, icons, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []  # (kind, url)
        self.in_prose = 0

    def handle_endtag(self, tag):
        if tag == "div" and self.in_prose:
            self.in_prose -= 1

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div" and (self.in_prose or "prose" in (a.get("class") or "").split()):
            self.in_prose += 1  # depth of <div>s inside the post body
        if tag == "link" and a.get("href"):
            rel = (a.get("rel") or "").lower().split()
            if "stylesheet" in rel:
                self.urls.append(("style", a["href"]))
            elif "icon" in rel:
                self.urls.append(("image", a["href"]))
            elif "preload" in rel or "modulepreload" in rel:
                self.urls.append((a.get("as") or "script", a["href"]))
        elif tag == "script" and a.get("src"):
            self.urls.append(("script", a["src"]))
        elif tag == "img" and a.get("src") and not self.in_prose and not self.is_photo(a):
            self.urls.append(("image", a["src"]))
        elif tag == "use" and a.get("href"):
            self.urls.append(("image", a["href"].split("#", 1)[0]))

    @staticmethod
    def is_photo(attrs) -> bool:
        """A responsive photograph (hero, cover): weighed separately, not in the budget."""
        return (attrs.get("src") or "").startswith("/media/")


def css_urls(css: str) -> list[tuple[str, str]]:
    found = []
    css = re.sub(r"@font-face\s*{[^}]*unicode-range[^}]*}", "", css)
    imports = re.compile(r"@import\s+(?:url\()?['\"]?([^'\");]+)[^;]*;?")
    for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", imports.sub("", css)):
        kind = "font" if re.search(r"\.(woff2?|ttf|otf|eot)(\?|$)", url) else "image"
        found.append((kind, url))
    found += [("style", u) for u in imports.findall(css)]
    return found


def page_weight(client, host: str, path: str) -> tuple[int, dict[str, int], list[str]]:
    page_url = f"http://{host}{path}"
    html = client.get(path)
    assert html.status_code in (200, 404)
    sizes = {path: len(html.data)}
    foreign = []
    parser = Subresources()
    parser.feed(html.text)
    queue = [(kind, urljoin(page_url, url)) for kind, url in parser.urls]
    while queue:
        kind, url = queue.pop()
        parts = urlsplit(url)
        if parts.scheme == "data":
            continue
        if parts.hostname != host:
            foreign.append(f"{kind} {url}")
            continue
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if target in sizes:
            continue
        with client.get(target) as response:
            assert response.status_code == 200, target
            body = response.get_data()
        sizes[target] = len(body)
        if kind == "style":
            queue += [(k, urljoin(url, u)) for k, u in css_urls(body.decode())]
    return sum(sizes.values()), sizes, foreign


@pytest.mark.parametrize("theme", list(THEMES))
def test_post_page_weighs_under_100_kb_and_uses_only_its_own_host(
    demo, client_for, set_theme, theme
):
    for host, path in POSTS.items():
        set_theme(host.split(".")[0], theme)
        total, sizes, foreign = page_weight(client_for(host), host, path)
        assert foreign == [], f"resources from other hosts on {host}{path}: {foreign}"
        assert total < BUDGET, f"{host}{path}: {total} bytes: {sizes}"
        assert any(p.endswith(".css") for p in sizes), sizes  # the stylesheet was counted
        assert any(p.endswith(".woff2") for p in sizes), sizes  # and the theme's fonts
        assert any(p.endswith("sprite.svg") for p in sizes), sizes  # and the icons


@pytest.mark.parametrize("theme", list(THEMES))
def test_no_third_party_scripts_styles_or_fonts_anywhere(demo, client_for, set_theme, theme):
    for host in POSTS:
        set_theme(host.split(".")[0], theme)
        client = client_for(host)
        for path in ["/", "/blog", "/faq", "/contact", "/no-such-page"]:
            _, _, foreign = page_weight(client, host, path)
            assert foreign == [], f"{host}{path}: {foreign}"


def test_the_weigher_counts_what_it_should():
    parser = Subresources()
    parser.feed(
        '<link rel="stylesheet" href="/a.css"><script src="https://cdn.example/x.js"></script>'
        '<div class="prose"><img src="/post-photo.jpg"></div><img src="/logo.svg">'
        '<img src="/media/0123456789abcdef-800w-0123456789ab.webp" srcset="x 800w">'
        '<svg><use href="/static/icons/sprite.svg#phone"></use></svg>'
    )
    assert parser.urls == [
        ("style", "/a.css"),
        ("script", "https://cdn.example/x.js"),
        ("image", "/logo.svg"),
        ("image", "/static/icons/sprite.svg"),
    ]
    assert css_urls(
        "@font-face{src:url('/f.woff2')} @font-face{src:url(/m.woff2);unicode-range:U+0100}"
        " @import url(/b.css);"
    ) == [
        ("font", "/f.woff2"),
        ("style", "/b.css"),
    ]
