"""Sitemap, feed, robots, JSON-LD and canonical links: parseable, on the primary domain."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import feedparser
import pytest

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


class HeadParser(HTMLParser):
    """Collects <link>/<meta> attributes and JSON-LD blocks from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str]] = []
        self.metas: list[dict[str, str]] = []
        self.json_ld: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "link":
            self.links.append(attributes)
        elif tag == "meta":
            self.metas.append(attributes)
        elif tag == "script" and attributes.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld[-1] += data

    def canonical(self) -> str:
        return next(link["href"] for link in self.links if link.get("rel") == "canonical")

    def meta(self, key: str) -> str:
        return next(m["content"] for m in self.metas if key in (m.get("name"), m.get("property")))


def parse(html: str) -> HeadParser:
    parser = HeadParser()
    parser.feed(html)
    return parser


@pytest.fixture
def aliased(make_tenant, make_post):
    """A clinic reached through an alias host: links must still use the primary domain."""
    tenant = make_tenant(
        "alpha", host="alpha.example", aliases=("www.alpha-old.example",), name="Alpha"
    )
    make_post(
        tenant,
        "first-post",
        title="First <post> & more",
        tags=("news",),
        excerpt="An excerpt.",
        author="Dr A",
        description="A description.",
    )
    return tenant


def test_sitemap_lists_pages_on_the_primary_domain(demo, client_for):
    response = client_for("zak-clinic.localhost").get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    locs = [el.text for el in root.findall("sm:url/sm:loc", SITEMAP_NS)]
    assert "http://zak-clinic.localhost/" in locs
    assert "http://zak-clinic.localhost/blog/can-acupuncture-help-with-dry-eye" in locs
    assert "http://zak-clinic.localhost/contact/pimlico" in locs
    assert all(loc.startswith("http://zak-clinic.localhost/") for loc in locs)
    assert len(locs) == len(set(locs))


def test_alias_host_never_leaks_into_absolute_urls(aliased, client_for):
    client = client_for("www.alpha-old.example")
    for path in ("/", "/blog/first-post", "/sitemap.xml", "/feed.xml", "/robots.txt"):
        body = client.get(path).text
        assert "alpha-old" not in body, path
        assert "http://alpha.example/" in body, path
    assert (
        parse(client.get("/blog/first-post").text).canonical()
        == "http://alpha.example/blog/first-post"
    )


def test_public_scheme_and_port_come_from_config(aliased, make_app, client_for):
    prod = make_app(PUBLIC_SCHEME="https", PUBLIC_PORT="443")
    dev = make_app(PUBLIC_SCHEME="http", PUBLIC_PORT="5000")
    assert (
        parse(client_for("alpha.example", prod).get("/faq").text).canonical()
        == "https://alpha.example/faq"
    )
    assert (
        parse(client_for("alpha.example", dev).get("/faq").text).canonical()
        == "http://alpha.example:5000/faq"
    )


def test_robots_names_the_sitemap(demo, client_for):
    response = client_for("acute-acupuncture.localhost").get("/robots.txt")
    assert response.mimetype == "text/plain"
    assert "Sitemap: http://acute-acupuncture.localhost/sitemap.xml" in response.text.splitlines()


def test_feed_is_valid_atom_with_the_posts(demo, client_for):
    response = client_for("acute-acupuncture.localhost").get("/feed.xml")
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Acute Acupuncture"
    titles = [entry.title for entry in feed.entries]
    assert len(titles) >= 3
    assert any("thrombocytopenia" in t.lower() or "itp" in t.lower() for t in titles)
    for entry in feed.entries:
        assert entry.link.startswith("http://acute-acupuncture.localhost/blog/")
        assert entry.published_parsed and entry.content[0].value


def test_feed_escapes_titles(aliased, client_for):
    feed = feedparser.parse(client_for(aliased).get("/feed.xml").data)
    assert not feed.bozo
    assert feed.entries[0].title == "First <post> & more"


def test_clinic_json_ld_describes_each_location(demo, client_for):
    html = client_for("zak-clinic.localhost").get("/contact").text
    blocks = [json.loads(block) for block in parse(html).json_ld]
    graph = blocks[0]["@graph"]
    assert len(graph) == 2  # Zak Clinic has two locations
    pimlico = next(node for node in graph if "Warwick Way" in node["address"]["streetAddress"])
    assert "MedicalBusiness" in pimlico["@type"]
    assert pimlico["telephone"] == "+44 7967 525168"
    assert pimlico["address"]["addressCountry"] == "GB"
    specs = pimlico["openingHoursSpecification"]
    assert specs and all(re.fullmatch(r"\d{2}:\d{2}", s["opens"]) for s in specs)
    assert specs[0]["dayOfWeek"].startswith("https://schema.org/")


def test_post_json_ld_and_open_graph(aliased, client_for):
    html = client_for(aliased).get("/blog/first-post").text
    head = parse(html)
    data = json.loads(head.json_ld[0])
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "First <post> & more"
    assert data["url"] == "http://alpha.example/blog/first-post"
    assert data["author"] == {"@type": "Person", "name": "Dr A"}
    assert data["datePublished"].endswith("+00:00")
    assert head.meta("og:type") == "article"
    assert head.meta("og:url") == "http://alpha.example/blog/first-post"
    assert head.meta("description") == "A description."
    # A hostile title cannot close the JSON-LD script block.
    assert "</post>" not in html.split('type="application/ld+json">', 1)[1].split("</script>", 1)[0]
