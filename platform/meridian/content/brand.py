"""Brand colours people can read: WCAG 2 contrast, and a near colour that passes.

On a clinic's site both brand colours carry white text (buttons, the footer) and are
themselves text on the white page (headings, links), so each must reach WCAG AA's
4.5:1 against white. When one does not, `suggest` keeps its hue and saturation and
darkens it just enough, so the owner gets their colour, readable.
"""

from __future__ import annotations

import colorsys
import re

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
AA_TEXT = 4.5
WHITE = "#ffffff"
LABELS = {"brand_primary": "The main colour", "brand_accent": "The accent colour"}


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def suggest(colour: str, against: str = WHITE, minimum: float = AA_TEXT) -> str:
    """The lightest colour of the same hue and saturation that reaches `minimum`
    against `against` (darker for a light background, lighter for a dark one)."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, light, sat = colorsys.rgb_to_hls(r, g, b)
    darken = luminance(against) > 0.18
    steps = (
        [light * (1 - i / 200) for i in range(201)]
        if darken
        else [light + (1 - light) * i / 200 for i in range(201)]
    )
    for value in steps:
        candidate = "#" + "".join(
            f"{round(c * 255):02x}" for c in colorsys.hls_to_rgb(hue, value, sat)
        )
        if contrast(candidate, against) >= minimum:
            return candidate
    return "#000000" if darken else WHITE


def check_brand(values: dict[str, str], against: str = WHITE) -> dict[str, str]:
    """Errors (with a suggested colour) for brand colours that fail AA against white."""
    errors: dict[str, str] = {}
    for key, label in LABELS.items():
        if key not in values:
            continue
        colour = (values[key] or "").strip()
        if not COLOUR.match(colour):
            errors[key] = f"{label} must be written as #rrggbb, e.g. #1f4e5f."
            continue
        ratio = contrast(colour, against)
        if ratio < AA_TEXT:
            errors[key] = (
                f"{label} {colour.lower()} is too light to read with white text "
                f"(contrast {ratio:.1f}:1; WCAG AA needs {AA_TEXT}:1). "
                f"Try {suggest(colour.lower(), against)}, the same colour a little darker."
            )
    return errors
