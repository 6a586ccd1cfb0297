"""Vendor the site's fonts and icons from tools/assets/node_modules into static/.

Run with `make assets` (it installs the npm packages pinned in package.json and the
`assets` extra, then runs this). The output is committed, so nobody needs npm or this
script to run or test Meridian, and nothing is ever loaded from another host.

Fonts: each family's Latin file from @fontsource, subset again (Latin-1, typographic
punctuation; variable weights narrowed to what the themes use) plus a tiny second file
with the Māori macron vowels, loaded only when a page has one (`unicode-range`). Each
family gets a metric-adjusted local fallback (`size-adjust`, `ascent-override`, …) so
the swap from fallback to web font barely moves the text. The @font-face rules are
written between the `fonts:begin` / `fonts:end` markers of each theme's stylesheet.

Icons: one SVG sprite (`static/icons/sprite.svg`) of Lucide (ISC) and Simple Icons
(CC0) symbols, plus a LinkedIn mark drawn by us; the licences are kept beside it.
"""

from __future__ import annotations

import io
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

HERE = Path(__file__).resolve().parent
MODULES = HERE / "node_modules"
ROOT = HERE.parents[1]
STATIC = ROOT / "platform" / "meridian" / "static"

sys.path.insert(0, str(ROOT / "platform"))
from meridian.themes import THEMES  # noqa: E402

LATIN = (
    list(range(0x20, 0x7F))
    + list(range(0xA0, 0xC0))
    + [0xD7, 0xF7]
    + [0x0152, 0x0153, 0x2009, 0x200B, 0x202F, 0x2013, 0x2014, 0x2018, 0x2019]
    + [0x201C, 0x201D, 0x2022, 0x2026, 0x2032, 0x2033, 0x2039, 0x203A, 0x20AC, 0x2122]
    + [0x2190, 0x2192, 0x2212]
)
#: À–ÿ (accented letters of Latin-1): a file of their own, fetched only by a page using one.
ACCENTS = [cp for cp in range(0xC0, 0x100) if cp not in (0xD7, 0xF7)]
#: Ā ā Ē ē Ī ī Ō ō Ū ū: te reo Māori in a New Zealand clinic's text.
MACRONS = [0x0100, 0x0101, 0x0112, 0x0113, 0x012A, 0x012B, 0x014C, 0x014D, 0x016A, 0x016B]
FEATURES = ["kern", "liga", "calt", "ccmp", "locl", "mark", "mkmk", "tnum", "lnum", "case"]

#: Metrics of the local fonts we fall back to (units per em, ascent, descent, line
#: gap, average width of lower-case text weighted by English letter frequency).
#: Liberation Sans / Arimo and Liberation Serif / Tinos share Arial's and Times New
#: Roman's metrics, so one adjustment serves Windows, macOS, Linux and Android alike.
FALLBACKS = {
    "sans": (
        "Arial",
        ("Arial", "Helvetica Neue", "Liberation Sans", "Arimo"),
        2048,
        1854,
        434,
        67,
        904,
    ),
    "serif": (
        "Times New Roman",
        ("Times New Roman", "Times", "Liberation Serif", "Tinos"),
        2048,
        1825,
        443,
        87,
        819,
    ),
}
#: Relative frequency of letters (and the space) in English prose, per 1000 characters.
FREQUENCY = {
    " ": 180, "e": 102, "t": 75, "a": 65, "o": 61, "i": 57, "n": 57, "s": 53, "h": 50,
    "r": 49, "d": 35, "l": 33, "u": 23, "c": 22, "m": 20, "w": 19, "f": 18, "g": 16,
    "y": 16, "p": 15, "b": 12, "v": 8, "k": 6, "j": 1, "x": 1, "q": 1, "z": 1,
}  # fmt: skip


@dataclass(frozen=True)
class Family:
    key: str
    name: str  # CSS font-family
    package: str
    latin: str  # file in the package's files/ folder
    ext: str  # the latin-ext file (for the macrons)
    kind: str  # "sans" or "serif" (which local fallback)
    weights: tuple[int, int] | None  # variable: the wght range kept; static: None
    weight: str  # the CSS font-weight descriptor


FAMILIES = {
    f.key: f
    for f in [
        Family(
            "fraunces",
            "Fraunces",
            "@fontsource/fraunces",
            "fraunces-latin-400-normal.woff2",
            "fraunces-latin-ext-400-normal.woff2",
            "serif",
            None,
            "400",
        ),
        Family(
            "figtree",
            "Figtree",
            "@fontsource-variable/figtree",
            "figtree-latin-wght-normal.woff2",
            "figtree-latin-ext-wght-normal.woff2",
            "sans",
            (400, 700),
            "400 700",
        ),
        Family(
            "plus-jakarta-sans",
            "Plus Jakarta Sans",
            "@fontsource-variable/plus-jakarta-sans",
            "plus-jakarta-sans-latin-wght-normal.woff2",
            "plus-jakarta-sans-latin-ext-wght-normal.woff2",
            "sans",
            (400, 800),
            "400 800",
        ),
        Family(
            "public-sans",
            "Public Sans",
            "@fontsource-variable/public-sans",
            "public-sans-latin-wght-normal.woff2",
            "public-sans-latin-ext-wght-normal.woff2",
            "sans",
            (400, 700),
            "400 700",
        ),
    ]
}


def _reload(font: TTFont) -> TTFont:
    buffer = io.BytesIO()
    font.save(buffer)
    buffer.seek(0)
    return TTFont(buffer)


def _subset(source: Path, unicodes: list[int], weights: tuple[int, int] | None) -> TTFont:
    font = TTFont(source)
    if weights and "fvar" in font:
        font = _reload(instancer.instantiateVariableFont(font, {"wght": weights}))
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = FEATURES
    options.name_IDs = ["*"]  # keep the copyright and licence names
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    font.flavor = "woff2"
    return font


def _fallback_css(family: Family, font: TTFont) -> str:
    """A local font scaled to the web font's average width and vertical metrics."""
    _, locals_, upm, ascent, descent, gap, avg = FALLBACKS[family.kind]
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    total = sum(FREQUENCY.values())
    width = sum(hmtx[cmap[ord(ch)]][0] * n for ch, n in FREQUENCY.items()) / total
    own_upm = font["head"].unitsPerEm
    size_adjust = (width / own_upm) / (avg / upm)
    hhea = font["hhea"]
    sources = ", ".join(f'local("{name}")' for name in locals_)
    return (
        f'@font-face {{ font-family: "{family.name} fallback"; src: {sources};'
        f" size-adjust: {size_adjust * 100:.2f}%;"
        f" ascent-override: {hhea.ascent / own_upm / size_adjust * 100:.2f}%;"
        f" descent-override: {-hhea.descent / own_upm / size_adjust * 100:.2f}%;"
        f" line-gap-override: {hhea.lineGap / own_upm / size_adjust * 100:.2f}%; }}"
    )


def build_fonts() -> dict[str, str]:
    """Write the subset fonts and their licences; return each family's CSS."""
    css = {}
    for family in FAMILIES.values():
        files = MODULES / family.package / "files"
        out = STATIC / "fonts" / family.key
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        latin = _subset(files / family.latin, LATIN, family.weights)
        latin.save(out / f"{family.key}-latin.woff2")
        accents = _subset(files / family.latin, ACCENTS, family.weights)
        accents.save(out / f"{family.key}-accents.woff2")
        macrons = _subset(files / family.ext, MACRONS, family.weights)
        macrons.save(out / f"{family.key}-macrons.woff2")
        shutil.copy(MODULES / family.package / "LICENSE", out / "LICENSE.txt")
        version = _package_version(family.package)
        (out / "SOURCE.txt").write_text(
            f"{family.name}: {family.package} {version} from the npm registry, subset by "
            "tools/assets/build.py. SIL Open Font License 1.1 (LICENSE.txt).\n",
            encoding="utf-8",
        )
        base = f"../../fonts/{family.key}/{family.key}"
        macron_range = ", ".join(f"U+{cp:04X}" for cp in MACRONS)
        accent_range = "U+00C0-00D6, U+00D8-00F6, U+00F8-00FF"
        css[family.key] = "\n".join(
            [
                f'@font-face {{ font-family: "{family.name}"; src: url("{base}-latin.woff2")'
                f' format("woff2"); font-weight: {family.weight}; font-style: normal;'
                " font-display: swap; }",
                f'@font-face {{ font-family: "{family.name}"; src: url("{base}-accents.woff2")'
                f' format("woff2"); font-weight: {family.weight}; font-style: normal;'
                f" font-display: swap; unicode-range: {accent_range}; }}",
                f'@font-face {{ font-family: "{family.name}"; src: url("{base}-macrons.woff2")'
                f' format("woff2"); font-weight: {family.weight}; font-style: normal;'
                f" font-display: swap; unicode-range: {macron_range}; }}",
                _fallback_css(family, latin),
            ]
        )
        print(
            f"{family.name}: {(out / f'{family.key}-latin.woff2').stat().st_size} B latin, "
            f"{(out / f'{family.key}-macrons.woff2').stat().st_size} B macrons"
        )
    return css


def _package_version(package: str) -> str:
    text = (MODULES / package / "package.json").read_text(encoding="utf-8")
    match = re.search(r'"version"\s*:\s*"([^"]+)"', text)
    return match.group(1) if match else "?"


MARKERS = re.compile(r"(/\* fonts:begin[^*]*\*/\n).*?(/\* fonts:end \*/)", re.S)


def write_theme_fonts(css: dict[str, str]) -> None:
    for theme in THEMES.values():
        path = STATIC / "themes" / theme.slug / "theme.css"
        text = path.read_text(encoding="utf-8")
        block = "\n".join(css[key] for key in theme.fonts) + "\n"
        new, count = MARKERS.subn(lambda m, b=block: m.group(1) + b + m.group(2), text)
        if count != 1:
            raise SystemExit(f"{path}: needs one /* fonts:begin */ … /* fonts:end */ block")
        path.write_text(new, encoding="utf-8")


# --- icons -----------------------------------------------------------------------------

#: Sprite id -> Lucide icon (stroked line icons, ISC).
LUCIDE = {
    "phone": "phone",
    "mail": "mail",
    "map-pin": "map-pin",
    "clock": "clock",
    "calendar": "calendar-check",
    "arrow-right": "arrow-right",
    "chevron-down": "chevron-down",
    "directions": "navigation",
    "check": "check",
    "rss": "rss",
    "globe": "globe",
}
#: Sprite id -> Simple Icons brand mark (filled, CC0).
SIMPLE = {
    "facebook": "facebook",
    "instagram": "instagram",
    "x": "x",
    "pinterest": "pinterest",
}
#: Every icon is fetched with every page (one sprite): add one only where it helps.
DECIMALS = re.compile(r"(\d+\.\d{2})\d+")
#: Simple Icons no longer carries LinkedIn: a plain "in" mark drawn for Meridian (CC0).
LINKEDIN = (
    '<path d="M3 1h18a2 2 0 0 1 2 2v18a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V3a2 2 0 0 1 2-2zm2.2 '
    "7.6v10.2h3.3V8.6zm1.65-5.1a1.9 1.9 0 1 0 0 3.8 1.9 1.9 0 0 0 0-3.8zm5 5.1v10.2h3.3v-5.4c0-1.5.4-2.6"
    ' 1.9-2.6 1.4 0 1.6 1.2 1.6 2.7v5.3h3.3v-6c0-3-.9-4.5-3.7-4.5-1.5 0-2.6.8-3.1 1.6V8.6z"/>'
)


def _inner(svg: str) -> str:
    body = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    body = re.sub(r"^.*?<svg[^>]*>", "", body, flags=re.S)
    body = re.sub(r"</svg>\s*$", "", body.strip())
    body = re.sub(r"<title>.*?</title>", "", body)
    return re.sub(r"\s+", " ", body).replace("> <", "><").strip()


def build_icons() -> None:
    symbols = []
    for sprite_id, name in LUCIDE.items():
        svg = (MODULES / "lucide-static" / "icons" / f"{name}.svg").read_text(encoding="utf-8")
        symbols.append(
            f'<symbol id="{sprite_id}" viewBox="0 0 24 24"><g fill="none" stroke="currentColor"'
            ' stroke-width="2" stroke-linecap="round" stroke-linejoin="round">'
            f"{_inner(svg)}</g></symbol>"
        )
    for sprite_id, name in SIMPLE.items():
        svg = (MODULES / "simple-icons" / "icons" / f"{name}.svg").read_text(encoding="utf-8")
        path = DECIMALS.sub(r"\1", _inner(svg))  # 1/100 of a pixel is plenty
        symbols.append(
            f'<symbol id="{sprite_id}" viewBox="0 0 24 24"><g fill="currentColor">{path}</g></symbol>'
        )
    symbols.append(
        f'<symbol id="linkedin" viewBox="0 0 24 24"><g fill="currentColor">{LINKEDIN}</g></symbol>'
    )
    out = STATIC / "icons"
    out.mkdir(parents=True, exist_ok=True)
    (out / "sprite.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg">' + "".join(symbols) + "</svg>\n",
        encoding="utf-8",
    )
    lucide = (MODULES / "lucide-static" / "LICENSE").read_text(encoding="utf-8")
    simple = (MODULES / "simple-icons" / "LICENSE.md").read_text(encoding="utf-8")
    (out / "LICENSES.md").write_text(
        "# Icons in sprite.svg\n\n"
        f"- Line icons ({', '.join(sorted(LUCIDE))}): Lucide, lucide-static "
        f"{_package_version('lucide-static')}, ISC licence (below).\n"
        f"- Brand marks ({', '.join(sorted(SIMPLE))}): Simple Icons "
        f"{_package_version('simple-icons')}, CC0 1.0 (below). The marks remain their "
        "owners' trademarks; we use them only to link to the clinic's own profiles.\n"
        '- linkedin: a plain "in" mark drawn for Meridian, CC0 1.0.\n\n'
        "## Lucide (ISC)\n\n" + lucide + "\n\n## Simple Icons (CC0 1.0)\n\n" + simple,
        encoding="utf-8",
    )
    print(f"sprite.svg: {(out / 'sprite.svg').stat().st_size} B, {len(symbols)} symbols")


if __name__ == "__main__":
    write_theme_fonts(build_fonts())
    build_icons()
