"""A post page with its CSS, fonts and scripts weighs under 60 KB, all from its own host.

Measured on the bytes the server sends (no compression assumed, so a proxy that
gzips only makes it lighter). The post's own images are not counted; the clinic's
logo and icon are. The real browser's view of the same thing is in
tests/browser/test_page_weight_browser.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

HOST = "zak-clinic.localhost"
POSTS = {
    "zak-clinic.localhost": "/blog/can-acupuncture-help-with-dry-eye",
    "acute-acupuncture.localhost": "/blog/acupuncture-for-lower-back-pain",
}
BUDGET = 60 * 1024


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
        elif tag == "img" and a.get("src") and not self.in_prose:
            self.urls.append(("image", a["src"]))


def css_urls(css: str) -> list[tuple[str, str]]:
    found = []
    imports = re.compile(r"@import\s+(?:url\()?['\"]?([^'\");]+)[^;]*;?")
    for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", imports.sub("", css)):
        kind = "font" if re.search(r"\.(woff2?|ttf|otf|eot)(\?|$)", url) else "image"
        found.append((kind, url))
    found += [("style", u) for u in imports.findall(css)]
    return found


def page_weight(client, host: str, path: str) -> tuple[int, dict[str, int], list[str]]:
    page_url = f"http://{host}{path}"
    html = client.get(path)
    assert html.status_code == 200
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


def test_post_page_weighs_under_60_kb_and_uses_only_its_own_host(demo, client_for):
    for host, path in POSTS.items():
        total, sizes, foreign = page_weight(client_for(host), host, path)
        assert foreign == [], f"resources from other hosts on {host}{path}: {foreign}"
        assert total < BUDGET, f"{host}{path}: {total} bytes: {sizes}"
        assert any(p.endswith(".css") for p in sizes), sizes  # the stylesheet was counted


def test_no_third_party_scripts_styles_or_fonts_anywhere(demo, client_for):
    for host in POSTS:
        client = client_for(host)
        for path in ["/", "/blog", "/faq", "/contact"]:
            _, _, foreign = page_weight(client, host, path)
            assert foreign == [], f"{host}{path}: {foreign}"


def test_the_weigher_counts_what_it_should():
    parser = Subresources()
    parser.feed(
        '<link rel="stylesheet" href="/a.css"><script src="https://cdn.example/x.js"></script>'
        '<div class="prose"><img src="/post-photo.jpg"></div><img src="/logo.svg">'
    )
    assert parser.urls == [
        ("style", "/a.css"),
        ("script", "https://cdn.example/x.js"),
        ("image", "/logo.svg"),
    ]
    assert css_urls("@font-face{src:url('/f.woff2')} @import url(/b.css);") == [
        ("font", "/f.woff2"),
        ("style", "/b.css"),
    ]
