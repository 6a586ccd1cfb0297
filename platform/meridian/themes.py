"""The designed themes a clinic chooses between: the one list, for templates, bundles
and the studio's settings alike.

A theme is a look (its stylesheet `static/themes/<slug>/theme.css`: typography,
spacing, shapes, mood), an order of sections on the home page, and optionally its own
versions of template partials in `templates/themes/<slug>/` (the header, a home
section…). The clinic's brand colours and logo apply on top of any theme, and a
clinic's own template overrides (`tenants/<slug>/templates/site/`) still win over the
theme's. A tenant whose stored theme is unknown gets the default, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    slug: str
    name: str
    #: One line for the clinic owner choosing a theme.
    summary: str
    #: Font families (keys of tools/assets/build.py's FAMILIES) in its stylesheet.
    fonts: tuple[str, ...]
    #: The font file worth preloading (the display face the first heading uses).
    preload: str
    #: Home page sections, in order: templates/site/home/<name>.html, or the theme's
    #: own templates/themes/<slug>/home/<name>.html.
    home: tuple[str, ...]
    #: The `sizes` of the home page photograph in this theme's layout.
    hero_sizes: str = "100vw"

    def partial(self, name: str) -> list[str]:
        """Template names for a partial: the theme's own first, then the shared one."""
        return [f"themes/{self.slug}/{name}", f"site/{name}"]

    @property
    def stylesheet(self) -> str:
        return f"themes/{self.slug}/theme.css"


THEMES: dict[str, Theme] = {
    theme.slug: theme
    for theme in (
        Theme(
            slug="calm",
            name="Calm",
            summary="Airy and quiet: a soft serif display face, generous white space, "
            "rounded photographs.",
            fonts=("fraunces", "figtree"),
            preload="fonts/fraunces/fraunces-latin.woff2",
            home=(
                "hero",
                "about",
                "services",
                "first-visit",
                "team",
                "posts",
                "faq",
                "locations",
                "closing",
            ),
            hero_sizes="(min-width: 72rem) 70rem, 94vw",
        ),
        Theme(
            slug="warm",
            name="Warm",
            summary="Friendly and modern: a rounded sans-serif, a sunny neutral palette, "
            "photographs in organic shapes.",
            fonts=("plus-jakarta-sans",),
            preload="fonts/plus-jakarta-sans/plus-jakarta-sans-latin.woff2",
            home=(
                "hero",
                "about",
                "services",
                "first-visit",
                "team",
                "locations",
                "posts",
                "faq",
                "closing",
            ),
            hero_sizes="(min-width: 56rem) 46vw, 92vw",
        ),
        Theme(
            slug="classic",
            name="Classic",
            summary="Clear and clinical: a crisp sans-serif, a structured grid and a "
            "banner photograph, like a practice you already trust.",
            fonts=("public-sans",),
            preload="fonts/public-sans/public-sans-latin.woff2",
            home=(
                "hero",
                "locations",
                "services",
                "about",
                "first-visit",
                "team",
                "posts",
                "faq",
                "closing",
            ),
        ),
    )
}

DEFAULT_THEME = "calm"


def get_theme(slug: str | None) -> Theme:
    """The theme called `slug`, or the default one for an unknown or empty name."""
    return THEMES.get(slug or "", THEMES[DEFAULT_THEME])


def theme_choices() -> list[tuple[str, str]]:
    """(slug, "Name — summary") pairs, e.g. for a settings form's select field."""
    return [(t.slug, f"{t.name} — {t.summary}") for t in THEMES.values()]
