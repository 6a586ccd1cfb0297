"""The clinic's Open Graph card: a PNG drawn from its name, tagline and brand colours.

Social networks do not show SVG (the logo), so shared links get this raster card
instead. It is served as a public page (`/og.png`), so it is drawn once per content
version (a brand change bumps the version) and then comes from the page cache.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
#: Fonts with wide coverage (accents, macrons, dashes), if the system has them
#: (Debian: fonts-dejavu-core); otherwise Pillow's own font, which is Latin-only.
FONTS = {
    "bold": ["/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"],
    "regular": ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"],
}
_ASCII = str.maketrans({"—": "-", "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"'})


@cache
def _font(weight: str, size: int):
    for path in FONTS[weight]:
        if Path(path).is_file():
            return ImageFont.truetype(path, size), True
    return ImageFont.load_default(size=size), False


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    if len(value) != 6:
        value = "1f4e5f"
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _ink(background: tuple[int, int, int]) -> tuple[int, int, int]:
    """White or near-black, whichever contrasts more with the background."""
    light = (1.05) / (_luminance(background) + 0.05)
    dark = (_luminance(background) + 0.05) / (_luminance((17, 24, 39)) + 0.05)
    return (255, 255, 255) if light >= dark else (17, 24, 39)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap; a word longer than the line is cut; the last line gets '…'."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        while draw.textlength(word, font=font) > width:  # an unbroken long word
            cut = len(word)
            while cut > 1 and draw.textlength(word[:cut], font=font) > width:
                cut -= 1
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(" .,") + "…"
    return lines


def card_png(name: str, tagline: str, primary: str, accent: str) -> bytes:
    """A 1200×630 PNG: the clinic's name large, its tagline below, an accent band."""
    background = _rgb(primary)
    ink = _ink(background)
    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, HEIGHT - 28, WIDTH, HEIGHT), fill=_rgb(accent))
    title, wide = _font("bold", 80)
    body, _ = _font("regular", 40)
    if not wide:
        name, tagline = name.translate(_ASCII), tagline.translate(_ASCII)
    y = MARGIN
    for line in _wrap(draw, name, title, WIDTH - 2 * MARGIN, 3):
        draw.text((MARGIN, y), line, font=title, fill=ink)
        y += 104
    y += 24
    for line in _wrap(draw, tagline, body, WIDTH - 2 * MARGIN, 3):
        draw.text((MARGIN, y), line, font=body, fill=ink)
        y += 54
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
