"""HTML from an old blog: sanitised, converted to Markdown, images at full size."""

from __future__ import annotations

import pytest

from meridian.importer.html import image_urls, original_image_url, plain_text, to_markdown


@pytest.mark.parametrize(
    ("url", "original"),
    [
        (
            "https://static.wixstatic.com/media/11062b_abc~mv2.jpg/v1/fill/w_740,h_493,al_c,q_85/11062b_abc~mv2.webp",
            "https://static.wixstatic.com/media/11062b_abc~mv2.jpg",
        ),
        (
            "https://static.wixstatic.com/media/11062b_abc~mv2.png",
            "https://static.wixstatic.com/media/11062b_abc~mv2.png",
        ),
        (
            "https://blog.example/wp-content/uploads/2023/04/desk-1024x683.jpg",
            "https://blog.example/wp-content/uploads/2023/04/desk.jpg",
        ),
        (
            "https://blog.example/images/photo-800x600.jpg",
            "https://blog.example/images/photo-800x600.jpg",
        ),
    ],
)
def test_resized_copies_lead_to_their_original(url, original):
    assert original_image_url(url) == original


def test_the_widest_srcset_entry_and_lazy_sources_are_used():
    html = (
        '<img src="/small.jpg" srcset="/a-400.jpg 400w, /a-1600.jpg 1600w, /a-800.jpg 800w">'
        '<img data-src="/lazy.jpg" src="data:image/gif;base64,R0lGOD">'
        '<img src="data:image/png;base64,AAAA">'
    )
    assert image_urls(html, "https://old.example/post/x") == [
        "https://old.example/a-1600.jpg",
        "https://old.example/lazy.jpg",
    ]


def test_markdown_keeps_structure_and_drops_what_could_run():
    html = (
        "<h1>Title</h1><p>Some <strong>bold</strong> and <em>soft</em> words, "
        '<a href="/post/older">an older post</a>, <a href="https://nhs.uk/x">the NHS</a>.</p>'
        "<ul><li>one</li><li>two</li></ul><blockquote><p>Quote</p></blockquote>"
        '<img src="/pic.jpg" alt="A pic"><img src="/gone.jpg" alt="Gone">'
        '<script>evil()</script><p onmouseover="evil()">Hover</p><a href="javascript:evil()">x</a>'
    )
    local = {"https://old.example/pic.jpg": "/media/abc-1600w-def.webp"}
    md = to_markdown(html, "https://old.example/post/x", local.get, {"old.example"})
    assert "## Title" in md
    assert "**bold**" in md and "*soft*" in md
    assert "[an older post](/post/older)" in md
    assert "[the NHS](https://nhs.uk/x)" in md
    assert "- one\n- two" in md
    assert "> Quote" in md
    assert "![A pic](/media/abc-1600w-def.webp)" in md
    assert "gone.jpg" not in md
    for bad in ("evil", "script", "onmouseover", "javascript"):
        assert bad not in md
    assert "Hover" in md


def test_plain_text_excerpts_cut_at_a_word():
    assert plain_text("<p>One two three four</p>", 12) == "One two…"
    assert plain_text("<p>Short</p>") == "Short"
