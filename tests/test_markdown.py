"""Markdown is rendered by a real parser and sanitised by an allow-list."""

from __future__ import annotations

import pytest

from meridian.markdown import reading_minutes, render_markdown


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<p style="background:url(javascript:alert(1))">x</p>',
        "<svg onload=alert(1)></svg>",
    ],
)
def test_script_never_survives(source):
    html = render_markdown(source).lower()
    for bad in (
        "<script",
        " onerror=",
        " onload=",
        'href="javascript',
        'src="javascript',
        "<iframe",
        "style=",
        "<svg",
    ):
        assert bad not in html


def test_markdown_features_render():
    html = render_markdown(
        "# Title\n\nSome *emphasis*, a [link](https://example.org).\n\n- one\n- two\n"
    )
    assert "<h2>Title</h2>" in html  # h1 is the page title's
    assert "<em>emphasis</em>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer">link</a>' in html
    assert "<li>one</li>" in html


def test_reading_time_rounds_up():
    assert reading_minutes("word " * 10) == 1
    assert reading_minutes("word " * 401) == 3


def test_hostile_post_renders_inert_on_the_page(make_tenant, make_post, client_for):
    tenant = make_tenant()
    make_post(
        tenant, "hostile", body='Hi <script>alert("x")</script> <img src=x onerror="alert(2)">'
    )
    page = client_for(tenant).get("/blog/hostile").text
    assert 'alert("x")' not in page and "onerror" not in page
    assert "<script>alert" not in page


def test_only_same_site_images_keep_their_source():
    html = render_markdown(
        "![a](/brand/photo.jpg) ![b](https://tracker.example/p.gif) ![c](//cdn.example/x.png)"
    )
    assert 'src="/brand/photo.jpg"' in html
    assert "tracker.example" not in html and "cdn.example" not in html
