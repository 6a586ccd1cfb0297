"""Draw the demo clinics' pictures: SVG illustrations made for Meridian, rendered to JPEG.

    .venv/bin/python tools/demo_art/make.py

Writes each picture's SVG source to tenants/<slug>/static/images/src/ and its
rendering (Chromium through Playwright, 2000 or 1600 px wide) to
tenants/<slug>/static/images/. Everything here is our own work, offered under CC0 1.0
(tenants/<slug>/static/images/CREDITS.md says so next to the files). Randomness is
seeded, so a rerun draws the same pictures.
"""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"


def hills(width, height, base, amp, seed, waves=4, step=20):
    """A smooth ridge line from left to right, closed along the bottom."""
    rnd = random.Random(seed)
    parts = [
        (rnd.uniform(0.5, 2.5), rnd.uniform(0, 6.28), rnd.uniform(0.3, 1.0)) for _ in range(waves)
    ]
    points = []
    for x in range(0, width + step, step):
        y = base
        for k, (freq, phase, weight) in enumerate(parts):
            y -= amp * weight * math.sin(x / width * math.pi * freq * (k + 1) + phase) / (k + 1)
        points.append((x, y))
    path = (
        f"M0,{height} L"
        + " L".join(f"{x:.0f},{y:.1f}" for x, y in points)
        + f" L{width},{height} Z"
    )
    return path


def grain(opacity=0.07):
    return (
        '<filter id="grain" x="0" y="0" width="100%" height="100%">'
        '<feTurbulence type="fractalNoise" baseFrequency="0.9" numOctaves="2" stitchTiles="stitch"/>'
        f'<feColorMatrix values="0 0 0 0 0  0 0 0 0 0  0 0 0 0 0  0 0 0 {opacity} 0"/></filter>'
    )


def svg(width, height, defs, body, grain_opacity=0.06):
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        f"<defs>{defs}{grain(grain_opacity)}</defs>{body}"
        f'<rect width="{width}" height="{height}" filter="url(#grain)"/></svg>'
    )


def linear(id_, stops, x2=0, y2=1):
    s = "".join(f'<stop offset="{o}" stop-color="{c}"/>' for o, c in stops)
    return f'<linearGradient id="{id_}" x1="0" y1="0" x2="{x2}" y2="{y2}">{s}</linearGradient>'


def radial(id_, stops, cx=0.5, cy=0.5, r=0.5):
    s = "".join(f'<stop offset="{o}" stop-color="{c}" stop-opacity="{a}"/>' for o, c, a in stops)
    return f'<radialGradient id="{id_}" cx="{cx}" cy="{cy}" r="{r}">{s}</radialGradient>'


# --- Acute Acupuncture (Wellington) ------------------------------------------------------


def acute_hero():
    """A treatment room with a window onto the harbour hills, morning light."""
    W, H = 2000, 1250
    defs = (
        linear("wall", [(0, "#efe6da"), (1, "#e6d9c8")])
        + linear("sky", [(0, "#f6d7bd"), (0.55, "#f3e6d6"), (1, "#dbe7e6")])
        + linear("sea", [(0, "#7fa6a8"), (1, "#a9c5c2")])
        + linear("floor", [(0, "#c9b59c"), (1, "#b39d82")])
        + radial("sun", [(0, "#fff4e0", 1), (0.4, "#fde3c4", 0.8), (1, "#f6d7bd", 0)])
        + radial("light", [(0, "#fff8ee", 0.55), (1, "#fff8ee", 0)], cx=0.45, cy=0.35, r=0.6)
        + linear("couch", [(0, "#f7f3ee"), (1, "#e4ddd3")])
        + linear("pot", [(0, "#b8643f"), (1, "#8f4a2d")])
    )
    wx, wy, ww, wh = 260, 150, 980, 640
    body = [f'<rect width="{W}" height="{H}" fill="url(#wall)"/>']
    # window view
    body.append(
        f'<clipPath id="win"><rect x="{wx}" y="{wy}" width="{ww}" height="{wh}" rx="6"/></clipPath>'
    )
    view = [f'<rect x="{wx}" y="{wy}" width="{ww}" height="{wh}" fill="url(#sky)"/>']
    view.append(f'<circle cx="{wx + 690}" cy="{wy + 250}" r="260" fill="url(#sun)"/>')
    view.append(f'<circle cx="{wx + 690}" cy="{wy + 250}" r="46" fill="#fff3df" opacity="0.9"/>')
    for base, amp, col, seed in (
        (wy + 360, 60, "#b9c9c4", 3),
        (wy + 400, 70, "#93aea8", 7),
        (wy + 440, 50, "#6f928d", 11),
    ):
        view.append(
            f'<path d="{hills(W, H, base, amp, seed)}" fill="{col}" transform="translate({wx - 300} 0)"/>'
        )
    view.append(
        f'<rect x="{wx}" y="{wy + 470}" width="{ww}" height="{wh - 470}" fill="url(#sea)"/>'
    )
    for k in range(14):
        y = wy + 490 + k * 11
        x0 = wx + 420 + (k * 37) % 300
        view.append(
            f'<rect x="{x0}" y="{y}" width="{140 - k * 6}" height="2.5" rx="1.2" fill="#fff8ec" opacity="{0.55 - k * 0.03:.2f}"/>'
        )
    for bx, by, s in [(wx + 250, wy + 500, 1.0), (wx + 330, wy + 530, 0.7)]:
        view.append(
            f'<g transform="translate({bx} {by}) scale({s})" fill="#f8f3ea"><path d="M0 0 L0 -46 L26 0 Z"/>'
            f'<path d="M-4 4 H34 L28 12 H2 Z" fill="#4c6d6a"/></g>'
        )
    body.append(f'<g clip-path="url(#win)">{"".join(view)}</g>')
    # window frame and sill
    body.append(
        f'<rect x="{wx}" y="{wy}" width="{ww}" height="{wh}" rx="6" fill="none" stroke="#f8f4ee" stroke-width="26"/>'
    )
    body.append(f'<rect x="{wx + ww / 2 - 8}" y="{wy}" width="16" height="{wh}" fill="#f8f4ee"/>')
    body.append(
        f'<rect x="{wx - 40}" y="{wy + wh}" width="{ww + 80}" height="34" rx="6" fill="#f3ede4"/>'
    )
    body.append(
        f'<rect x="{wx - 40}" y="{wy + wh + 30}" width="{ww + 80}" height="10" fill="#d8cbb9"/>'
    )
    # floor
    body.append(f'<rect x="0" y="{H - 230}" width="{W}" height="230" fill="url(#floor)"/>')
    body.append(f'<rect width="{W}" height="{H}" fill="url(#light)"/>')
    # treatment couch
    cx, cy = 760, 905
    body.append(f'<rect x="{cx}" y="{cy}" width="900" height="70" rx="30" fill="url(#couch)"/>')
    body.append(
        f'<rect x="{cx + 20}" y="{cy + 60}" width="860" height="26" rx="10" fill="#cfc4b6"/>'
    )
    for lx in (cx + 80, cx + 800):
        body.append(f'<rect x="{lx}" y="{cy + 80}" width="22" height="170" rx="8" fill="#8b7a66"/>')
    body.append(
        f'<rect x="{cx + 40}" y="{cy - 36}" width="230" height="50" rx="24" fill="#fbf9f5"/>'
    )
    body.append(
        f'<rect x="{cx + 520}" y="{cy - 22}" width="300" height="34" rx="10" fill="#a9c3bf"/>'
    )
    body.append(
        f'<rect x="{cx + 520}" y="{cy - 22}" width="300" height="10" rx="5" fill="#c2d6d2"/>'
    )
    # plant in a pot
    px, py = 1700, 860
    body.append(
        f'<path d="M{px - 95},{py} L{px + 95},{py} L{px + 70},{py + 190} L{px - 70},{py + 190} Z" fill="url(#pot)"/>'
    )
    rnd = random.Random(5)
    for k in range(11):
        ang = -150 + k * 12 + rnd.uniform(-5, 5)
        length = rnd.uniform(230, 420)
        ex = px + length * math.cos(math.radians(ang))
        ey = py + length * math.sin(math.radians(ang))
        mx = px + length * 0.5 * math.cos(math.radians(ang + 12))
        my = py + length * 0.5 * math.sin(math.radians(ang + 12))
        shade = ["#4f7d63", "#5e8f71", "#3f6b53", "#6c9c7d"][k % 4]
        body.append(
            f'<path d="M{px},{py} Q{mx:.0f},{my:.0f} {ex:.0f},{ey:.0f}" stroke="{shade}" stroke-width="6" fill="none" stroke-linecap="round"/>'
        )
        body.append(
            f'<ellipse cx="{ex:.0f}" cy="{ey:.0f}" rx="{rnd.uniform(48, 70):.0f}" ry="{rnd.uniform(20, 28):.0f}" '
            f'transform="rotate({ang + 90:.0f} {ex:.0f} {ey:.0f})" fill="{shade}"/>'
        )
    # pendant lamp
    body.append('<line x1="1520" y1="0" x2="1520" y2="250" stroke="#6b5b4a" stroke-width="4"/>')
    body.append('<path d="M1440,330 Q1520,210 1600,330 Z" fill="#e9b77f"/>')
    body.append('<ellipse cx="1520" cy="332" rx="80" ry="12" fill="#fff1d6"/>')
    # small shelf with a stack of towels and a candle
    body.append('<rect x="1350" y="520" width="330" height="14" rx="4" fill="#cdb89c"/>')
    for k, c in enumerate(["#f6f1e9", "#c9d9d5", "#efe3d0"]):
        body.append(
            f'<rect x="{1380 + k * 6}" y="{490 - k * 26}" width="{170 - k * 12}" height="26" rx="10" fill="{c}"/>'
        )
    body.append('<rect x="1600" y="470" width="36" height="50" rx="6" fill="#f8f1e4"/>')
    body.append('<ellipse cx="1618" cy="458" rx="6" ry="12" fill="#f2b45c"/>')
    return svg(W, H, defs, "".join(body), 0.05)


def sleep_cover():
    W, H = 1600, 1000
    defs = linear("night", [(0, "#1f3447"), (0.6, "#3b5566"), (1, "#7d8f96")]) + radial(
        "moonglow", [(0, "#fff6df", 0.6), (1, "#fff6df", 0)]
    )
    body = [f'<rect width="{W}" height="{H}" fill="url(#night)"/>']
    rnd = random.Random(21)
    for _ in range(90):
        x, y, r = rnd.uniform(0, W), rnd.uniform(0, H * 0.55), rnd.uniform(0.8, 2.6)
        body.append(
            f'<circle cx="{x:.0f}" cy="{y:.0f}" r="{r:.1f}" fill="#fdf6e3" opacity="{rnd.uniform(0.35, 0.95):.2f}"/>'
        )
    body.append('<circle cx="1130" cy="260" r="240" fill="url(#moonglow)"/>')
    body.append(
        '<mask id="crescent"><rect width="1600" height="1000" fill="#fff"/>'
        '<circle cx="1172" cy="232" r="80" fill="#000"/></mask>'
        '<circle cx="1130" cy="260" r="86" fill="#fbf1d9" mask="url(#crescent)"/>'
    )
    for base, amp, col, seed in [
        (610, 70, "#3d5a66", 2),
        (680, 60, "#2e4a55", 5),
        (760, 40, "#223c46", 9),
    ]:
        body.append(f'<path d="{hills(W, H, base, amp, seed)}" fill="{col}"/>')
    body.append(f'<rect x="0" y="800" width="{W}" height="200" fill="#1a313b"/>')
    for k in range(10):
        body.append(
            f'<rect x="{1030 + (k * 29) % 120}" y="{820 + k * 16}" width="{180 - k * 14}" height="3" rx="1.5" fill="#fbf1d9" opacity="{0.5 - k * 0.04:.2f}"/>'
        )
    return svg(W, H, defs, "".join(body), 0.07)


def itp_cover():
    W, H = 1600, 1000
    defs = linear("bg", [(0, "#fbeee8"), (1, "#f3dcd6")], x2=1, y2=1)
    body = [f'<rect width="{W}" height="{H}" fill="url(#bg)"/>']
    rnd = random.Random(33)
    for _ in range(26):
        x, y, r = rnd.uniform(-50, W + 50), rnd.uniform(-50, H + 50), rnd.uniform(40, 130)
        tone = rnd.choice(["#d9867a", "#c96f66", "#e6a296", "#b85c56"])
        body.append(
            f'<g opacity="{rnd.uniform(0.55, 0.95):.2f}"><circle cx="{x:.0f}" cy="{y:.0f}" r="{r:.0f}" fill="{tone}"/>'
            f'<circle cx="{x:.0f}" cy="{y:.0f}" r="{r * 0.55:.0f}" fill="#f3c2b8" opacity="0.55"/></g>'
        )
    for _ in range(70):
        x, y, r = rnd.uniform(0, W), rnd.uniform(0, H), rnd.uniform(5, 13)
        body.append(
            f'<circle cx="{x:.0f}" cy="{y:.0f}" r="{r:.0f}" fill="#8f5a8a" opacity="{rnd.uniform(0.45, 0.85):.2f}"/>'
        )
    return svg(W, H, defs, "".join(body), 0.05)


def back_cover():
    """Balanced stones on a beach at dusk."""
    W, H = 1600, 1000
    defs = linear("dusk", [(0, "#f4c9a8"), (0.5, "#efd9c4"), (1, "#d6e0dc")]) + linear(
        "sand", [(0, "#dcc6a8"), (1, "#c9ae8b")]
    )
    body = [f'<rect width="{W}" height="{H}" fill="url(#dusk)"/>']
    body.append('<circle cx="420" cy="430" r="110" fill="#f9e3c8" opacity="0.9"/>')
    body.append(f'<path d="{hills(W, H, 560, 30, 41)}" fill="#9fb9b4"/>')
    body.append(f'<rect x="0" y="600" width="{W}" height="120" fill="#b7cbc6"/>')
    body.append(f'<path d="{hills(W, H, 700, 18, 17)}" fill="url(#sand)"/>')
    stones = [
        (1040, 820, 190, 70, "#6d7f80"),
        (1030, 722, 150, 56, "#8a9795"),
        (1048, 640, 116, 46, "#5f7072"),
        (1036, 574, 86, 36, "#9aa6a2"),
        (1044, 526, 60, 26, "#717f7e"),
        (1040, 492, 38, 18, "#a7b1ad"),
    ]
    for x, y, rx, ry, c in stones:
        body.append(f'<ellipse cx="{x}" cy="{y}" rx="{rx}" ry="{ry}" fill="{c}"/>')
        body.append(
            f'<ellipse cx="{x - rx * 0.25:.0f}" cy="{y - ry * 0.35:.0f}" rx="{rx * 0.45:.0f}" ry="{ry * 0.25:.0f}" fill="#ffffff" opacity="0.14"/>'
        )
    body.append('<ellipse cx="1060" cy="890" rx="260" ry="22" fill="#8e7558" opacity="0.35"/>')
    return svg(W, H, defs, "".join(body), 0.06)


def koru_cover():
    """Fern fronds (koru) unfurling, for stress and anxiety."""
    W, H = 1600, 1000
    defs = linear("bg", [(0, "#e9f0e6"), (1, "#cfdfd1")], x2=1, y2=1)
    body = [f'<rect width="{W}" height="{H}" fill="url(#bg)"/>']
    body.append('<circle cx="1060" cy="420" r="330" fill="#dde8da"/>')

    def koru(cx, cy, a, turns, rot, color, width, stem_to):
        """A spiral growing outwards from (cx, cy), then its stem down to `stem_to`."""
        pts = []
        for i in range(int(turns * 120) + 1):
            t = i / 120 * 2 * math.pi
            r = a * math.exp(0.2 * t)
            pts.append((cx + r * math.cos(t + rot), cy + r * math.sin(t + rot)))
        ex, ey = pts[-1]
        sx, sy = stem_to
        d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        d += f" C{ex + 40:.0f},{ey + 160:.0f} {sx + 30:.0f},{sy - 260:.0f} {sx},{sy}"
        return (
            f'<path d="{d}" fill="none" stroke="{color}" stroke-width="{width}" stroke-linecap="round"/>',
            (ex, ey),
        )

    rnd = random.Random(3)
    # a frond of leaflets behind, leaning left
    for k in range(12):
        y = 1000 - k * 58
        x = 1240 - k * 22
        for side in (-1, 1):
            length = 40 + k * 9 + rnd.uniform(-8, 8)
            body.append(
                f'<path d="M{x},{y} q{side * length * 0.55:.0f},-{length * 0.35:.0f} {side * length:.0f},-{length * 0.2:.0f}"'
                ' fill="none" stroke="#8fb592" stroke-width="14" stroke-linecap="round"/>'
            )
    body.append(
        '<path d="M1240,1000 C1200,800 1060,560 980,330" fill="none" stroke="#8fb592" stroke-width="14" stroke-linecap="round"/>'
    )
    path, _ = koru(880, 400, 7, 2.35, 3.4, "#3f6e4f", 30, (820, 1010))
    body.append(path)
    path, _ = koru(560, 620, 5, 2.1, 3.2, "#6f9a78", 18, (520, 1010))
    body.append(path)
    path, _ = koru(1380, 560, 4, 2.0, 3.6, "#5b8a66", 14, (1350, 1010))
    body.append(path)
    return svg(W, H, defs, "".join(body), 0.05)


# --- Zak Clinic (London, Pimlico) ---------------------------------------------------------


def zak_hero():
    """Stucco terraces and a pharmacy front on a Pimlico street, a plane tree, morning."""
    W, H = 2000, 1250
    defs = (
        linear("sky", [(0, "#dfe9f1"), (1, "#f4efe6")])
        + linear("stucco", [(0, "#fbf8f2"), (1, "#efe8dc")])
        + linear("road", [(0, "#b9b4ab"), (1, "#a49e94")])
        + radial("sunwash", [(0, "#fff3dc", 0.7), (1, "#fff3dc", 0)], cx=0.8, cy=0.1, r=0.7)
    )
    body = [f'<rect width="{W}" height="{H}" fill="url(#sky)"/>']
    # terrace facade
    body.append(f'<rect x="0" y="120" width="{W}" height="900" fill="url(#stucco)"/>')
    body.append(f'<rect x="0" y="120" width="{W}" height="26" fill="#e8e0d2"/>')
    body.append(f'<rect x="0" y="300" width="{W}" height="14" fill="#e6ddcf"/>')
    for bay in range(6):
        x = 60 + bay * 330
        for y, h in ((170, 110), (350, 200)):
            body.append(f'<rect x="{x + 40}" y="{y}" width="170" height="{h}" fill="#42546a"/>')
            body.append(
                f'<rect x="{x + 40}" y="{y}" width="170" height="{h}" fill="none" stroke="#f6f2ea" stroke-width="10"/>'
            )
            body.append(
                f'<line x1="{x + 125}" y1="{y}" x2="{x + 125}" y2="{y + h}" stroke="#f6f2ea" stroke-width="6"/>'
            )
            body.append(
                f'<line x1="{x + 40}" y1="{y + h / 2}" x2="{x + 210}" y2="{y + h / 2}" stroke="#f6f2ea" stroke-width="6"/>'
            )
            body.append(
                f'<rect x="{x + 50}" y="{y + 8}" width="60" height="{h / 2 - 14}" fill="#7f95ab" opacity="0.5"/>'
            )
        # balcony railing
        body.append(f'<rect x="{x + 20}" y="556" width="210" height="8" fill="#1f2a36"/>')
        for k in range(15):
            body.append(
                f'<rect x="{x + 24 + k * 14}" y="564" width="3" height="36" fill="#1f2a36"/>'
            )
        body.append(f'<rect x="{x + 20}" y="598" width="210" height="6" fill="#1f2a36"/>')
    body.append(f'<rect x="0" y="630" width="{W}" height="18" fill="#e6ddcf"/>')
    # pharmacy shopfront at street level
    body.append('<rect x="0" y="648" width="2000" height="372" fill="#f3eee5"/>')
    body.append('<rect x="300" y="660" width="1000" height="360" fill="#17695a"/>')
    body.append('<rect x="330" y="680" width="940" height="70" fill="#12574a"/>')
    body.append(
        '<g fill="#f7f3ea"><rect x="360" y="705" width="180" height="20" rx="10"/><rect x="560" y="705" width="120" height="20" rx="10"/></g>'
    )
    body.append(
        '<g transform="translate(1180 715)"><rect x="-30" y="-10" width="60" height="20" fill="#f7f3ea"/><rect x="-10" y="-30" width="20" height="60" fill="#f7f3ea"/></g>'
    )
    body.append('<rect x="340" y="775" width="430" height="245" fill="#c9dad6"/>')
    body.append('<rect x="830" y="775" width="170" height="245" fill="#0f4a3f"/>')
    body.append('<rect x="1040" y="775" width="230" height="245" fill="#c9dad6"/>')
    for x0 in (340, 1040):
        body.append(
            f'<rect x="{x0 + 20}" y="900" width="120" height="12" fill="#f3eee5"/><rect x="{x0 + 40}" y="860" width="30" height="40" rx="4" fill="#e1a35b"/><rect x="{x0 + 80}" y="870" width="26" height="30" rx="4" fill="#8fb8b0"/>'
        )
    # front doors of the terrace with columns
    for x in (60, 1440, 1770):
        body.append(f'<rect x="{x}" y="700" width="200" height="320" fill="#f8f4ec"/>')
        body.append(f'<rect x="{x + 50}" y="760" width="100" height="260" rx="50" fill="#1f2f56"/>')
        body.append(
            f'<rect x="{x + 10}" y="700" width="26" height="320" fill="#ece4d6"/><rect x="{x + 164}" y="700" width="26" height="320" fill="#ece4d6"/>'
        )
    # pavement and road
    body.append(f'<rect x="0" y="1020" width="{W}" height="60" fill="#d9d3c8"/>')
    body.append(f'<rect x="0" y="1080" width="{W}" height="170" fill="url(#road)"/>')
    for k in range(6):
        body.append(
            f'<rect x="{120 + k * 340}" y="1160" width="160" height="10" rx="5" fill="#f4efe6" opacity="0.8"/>'
        )
    # railings along the pavement
    for k in range(80):
        body.append(
            f'<rect x="{k * 25}" y="985" width="4" height="40" fill="#1f2a36" opacity="0.85"/>'
        )
    body.append(f'<rect x="0" y="982" width="{W}" height="6" fill="#1f2a36" opacity="0.85"/>')
    # plane tree on the right
    body.append(
        '<path d="M1620,1060 C1630,900 1600,760 1650,620 L1690,620 C1660,780 1700,900 1680,1060 Z" fill="#8a7d6a"/>'
    )
    body.append(
        '<path d="M1650,700 C1600,640 1560,600 1520,560" stroke="#8a7d6a" stroke-width="18" fill="none" stroke-linecap="round"/>'
    )
    rnd = random.Random(8)
    for _ in range(60):
        x, y, r = rnd.gauss(1640, 190), rnd.gauss(430, 140), rnd.uniform(40, 110)
        c = rnd.choice(["#6e9a62", "#7fab6f", "#5c8a55", "#8fb97c", "#4f7b4b"])
        body.append(f'<circle cx="{x:.0f}" cy="{y:.0f}" r="{r:.0f}" fill="{c}" opacity="0.92"/>')
    body.append(f'<rect width="{W}" height="{H}" fill="url(#sunwash)"/>')
    return svg(W, H, defs, "".join(body), 0.045)


def immune_cover():
    W, H = 1600, 1000
    defs = linear("bg", [(0, "#e5eef3"), (1, "#cfdeea")], x2=1, y2=1)
    body = [f'<rect width="{W}" height="{H}" fill="url(#bg)"/>']
    cx, cy = 800, 500
    for k, (r, c, a) in enumerate(
        [
            (430, "#b7cde0", 0.6),
            (340, "#9dbbd4", 0.6),
            (250, "#5f8fb3", 0.55),
            (160, "#1f4e79", 0.5),
        ]
    ):
        body.append(
            f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="none" stroke="{c}" stroke-width="{46 - k * 8}" opacity="{a}" stroke-dasharray="{12 + k * 20} {20 + k * 6}"/>'
        )
    body.append(f'<circle cx="{cx}" cy="{cy}" r="96" fill="#17695a" opacity="0.85"/>')
    body.append(f'<circle cx="{cx}" cy="{cy}" r="50" fill="#e5eef3" opacity="0.75"/>')
    rnd = random.Random(12)
    for _ in range(40):
        a = rnd.uniform(0, 2 * math.pi)
        d = rnd.uniform(480, 900)
        r = rnd.uniform(10, 34)
        body.append(
            f'<circle cx="{cx + d * math.cos(a):.0f}" cy="{cy + d * math.sin(a) * 0.7:.0f}" r="{r:.0f}" fill="#1f4e79" opacity="{rnd.uniform(0.15, 0.45):.2f}"/>'
        )
    return svg(W, H, defs, "".join(body), 0.05)


def dry_eye_cover():
    W, H = 1600, 1000
    defs = linear("bg", [(0, "#dcebf2"), (1, "#b9d3df")]) + linear(
        "drop", [(0, "#ffffff"), (1, "#7fb1c8")], x2=0.4, y2=1
    )
    body = [f'<rect width="{W}" height="{H}" fill="url(#bg)"/>']
    for k in range(7):
        body.append(
            f'<ellipse cx="800" cy="760" rx="{110 + k * 95}" ry="{24 + k * 21}" fill="none" stroke="#ffffff" stroke-width="{6 - k * 0.6:.1f}" opacity="{0.75 - k * 0.09:.2f}"/>'
        )
    body.append(
        '<path d="M800,170 C860,300 960,420 960,540 A160,160 0 0 1 640,540 C640,420 740,300 800,170 Z" fill="url(#drop)" opacity="0.95"/>'
    )
    body.append(
        '<ellipse cx="740" cy="520" rx="28" ry="60" fill="#ffffff" opacity="0.75" transform="rotate(-18 740 520)"/>'
    )
    return svg(W, H, defs, "".join(body), 0.05)


def hay_fever_cover():
    W, H = 1600, 1000
    defs = linear("sky", [(0, "#fbe9b9"), (0.6, "#f7f0d8"), (1, "#e3ecd3")]) + radial(
        "sun", [(0, "#fff7d6", 0.95), (1, "#fff7d6", 0)]
    )
    body = [
        f'<rect width="{W}" height="{H}" fill="url(#sky)"/>',
        '<circle cx="1250" cy="220" r="260" fill="url(#sun)"/>',
    ]
    rnd = random.Random(4)
    body.append(f'<path d="{hills(W, H, 690, 40, 23)}" fill="#b7cf97"/>')
    body.append(f'<path d="{hills(W, H, 780, 30, 29)}" fill="#94b774"/>')
    for _ in range(220):
        x = rnd.uniform(0, W)
        h = rnd.uniform(120, 360)
        lean = rnd.uniform(-50, 50)
        c = rnd.choice(["#6f9a54", "#82a862", "#a7c27a", "#5d8748"])
        body.append(
            f'<path d="M{x:.0f},{H} q{lean / 2:.0f},-{h / 2:.0f} {lean:.0f},-{h:.0f}" stroke="{c}" stroke-width="{rnd.uniform(3, 7):.1f}" fill="none" stroke-linecap="round"/>'
        )
    for hx, hy in [(420, 520), (610, 600), (300, 640)]:
        body.append(
            f'<path d="M{hx},{H} C{hx + 10},{hy + 200} {hx - 10},{hy + 80} {hx},{hy}" stroke="#6f8f55" stroke-width="6" fill="none"/>'
        )
        for k in range(28):
            a = k / 28 * 2 * math.pi
            body.append(
                f'<line x1="{hx}" y1="{hy}" x2="{hx + 62 * math.cos(a):.0f}" y2="{hy + 62 * math.sin(a):.0f}" stroke="#fffdf4" stroke-width="2.5" opacity="0.9"/>'
            )
            body.append(
                f'<circle cx="{hx + 64 * math.cos(a):.0f}" cy="{hy + 64 * math.sin(a):.0f}" r="5" fill="#fffdf4"/>'
            )
        body.append(f'<circle cx="{hx}" cy="{hy}" r="10" fill="#d9c98f"/>')
    for _ in range(120):
        body.append(
            f'<circle cx="{rnd.uniform(0, W):.0f}" cy="{rnd.uniform(0, H * 0.8):.0f}" r="{rnd.uniform(2, 6):.1f}" fill="#e7b93d" opacity="{rnd.uniform(0.35, 0.85):.2f}"/>'
        )
    return svg(W, H, defs, "".join(body), 0.05)


def leukopenia_cover():
    W, H = 1600, 1000
    defs = linear("bg", [(0, "#ece8f4"), (1, "#d9d2ea")], x2=1, y2=1)
    body = [f'<rect width="{W}" height="{H}" fill="url(#bg)"/>']
    rnd = random.Random(77)
    for _ in range(22):
        x, y = rnd.uniform(-40, W + 40), rnd.uniform(-40, H + 40)
        r = rnd.uniform(28, 60)
        body.append(f'<circle cx="{x:.0f}" cy="{y:.0f}" r="{r:.0f}" fill="#cf8e99" opacity="0.5"/>')
    for x, y, r in [(520, 470, 170), (1080, 380, 130), (1180, 760, 100), (300, 820, 80)]:
        body.append(f'<circle cx="{x}" cy="{y}" r="{r}" fill="#fbfaff"/>')
        body.append(
            f'<circle cx="{x}" cy="{y}" r="{r}" fill="none" stroke="#b7a9d6" stroke-width="5"/>'
        )
        for k in range(3):
            a = k * 2.1 + 0.4
            body.append(
                f'<circle cx="{x + r * 0.32 * math.cos(a):.0f}" cy="{y + r * 0.32 * math.sin(a):.0f}" r="{r * 0.3:.0f}" fill="#7b66b0" opacity="0.8"/>'
            )
    return svg(W, H, defs, "".join(body), 0.05)


def portrait(backdrop, skin, hair, hair_style, top, collar):
    """An illustrated head-and-shoulders portrait (800 px square) of a practitioner:
    a stand-in for the photograph a clinic would upload, never a real person."""
    W = H = 800
    defs = linear("wall", [(0, backdrop[0]), (1, backdrop[1])]) + radial(
        "light", [(0, "#ffffff", 0.9), (1, "#ffffff", 0)], cx=0.3, cy=0.25, r=0.7
    )
    body = [
        f'<rect width="{W}" height="{H}" fill="url(#wall)"/>',
        '<circle cx="240" cy="200" r="300" fill="url(#light)" opacity="0.35"/>',
        # A plant leaf at the edge of the frame (a treatment room, softly out of focus).
        '<path d="M700 520 C640 420 660 300 760 240 C800 340 780 450 700 520 Z" fill="#7d9a84" opacity="0.45"/>',
        '<path d="M690 560 C600 520 560 430 600 350 C680 400 710 480 690 560 Z" fill="#6b8a73" opacity="0.4"/>',
    ]
    if hair_style == "long":  # hair that falls behind the shoulders
        body.append(
            f'<path d="M262 330 C250 180 330 120 400 120 C470 120 550 180 538 330 L560 600 L240 600 Z" fill="{hair}"/>'
        )
    # Shoulders and top.
    body.append(
        f'<path d="M120 800 C120 650 230 585 400 585 C570 585 680 650 680 800 Z" fill="{top}"/>'
    )
    body.append(f'<path d="M340 590 L400 680 L460 590 Z" fill="{collar}"/>')
    # Neck and head.
    body.append(f'<path d="M352 470 L352 600 C380 625 420 625 448 600 L448 470 Z" fill="{skin}"/>')
    body.append(
        '<path d="M352 560 C380 585 420 585 448 560 L448 540 C420 560 380 560 352 540 Z" fill="#000000" opacity="0.08"/>'
    )
    body.append(f'<ellipse cx="400" cy="380" rx="118" ry="142" fill="{skin}"/>')
    body.append(f'<ellipse cx="284" cy="392" rx="18" ry="30" fill="{skin}"/>')
    body.append(f'<ellipse cx="516" cy="392" rx="18" ry="30" fill="{skin}"/>')
    # Hair on top.
    if hair_style == "short":
        body.append(
            f'<path d="M280 370 C270 250 330 220 400 220 C480 220 535 260 520 370 C510 300 470 280 400 285 C340 285 296 300 280 370 Z" fill="{hair}"/>'
        )
    elif hair_style == "long":
        body.append(
            f'<path d="M282 400 C270 250 330 225 400 225 C470 225 530 250 518 400 C505 320 470 290 420 280 C380 310 320 320 282 400 Z" fill="{hair}"/>'
        )
    else:  # a head scarf
        body.append(
            f'<path d="M268 420 C250 250 320 205 400 205 C480 205 550 250 532 420 C540 520 520 600 470 640 L330 640 C280 600 260 520 268 420 Z" fill="{hair}"/>'
        )
        body.append(f'<ellipse cx="400" cy="392" rx="104" ry="128" fill="{skin}"/>')
        body.append(
            f'<path d="M290 340 C310 262 490 262 510 340 C470 300 330 300 290 340 Z" fill="{hair}"/>'
        )
    brows = hair if hair_style != "scarf" else "#2b2320"
    # A calm face: closed-smile line, eyes, brows, a touch of colour.
    body.append('<ellipse cx="358" cy="392" rx="9" ry="6" fill="#2b2320"/>')
    body.append('<ellipse cx="442" cy="392" rx="9" ry="6" fill="#2b2320"/>')
    body.append(
        f'<path d="M336 366 Q358 356 378 364 M422 364 Q442 356 464 366" stroke="{brows}" stroke-width="6" fill="none" stroke-linecap="round"/>'
    )
    body.append(
        '<path d="M400 400 Q392 432 404 440" stroke="#000000" stroke-opacity="0.18" stroke-width="4" fill="none" stroke-linecap="round"/>'
    )
    body.append(
        '<path d="M370 470 Q400 490 430 470" stroke="#8a4b3f" stroke-width="6" fill="none" stroke-linecap="round"/>'
    )
    body.append('<ellipse cx="340" cy="440" rx="22" ry="12" fill="#e58f7c" opacity="0.22"/>')
    body.append('<ellipse cx="460" cy="440" rx="22" ry="12" fill="#e58f7c" opacity="0.22"/>')
    return svg(W, H, defs, "".join(body), 0.05)


def aroha_portrait():
    return portrait(("#dfe9e6", "#b9cfca"), "#b07a5a", "#2a1d18", "long", "#1d4f5c", "#e9f0ee")


def daniel_portrait():
    return portrait(("#efe6da", "#d8c7b0"), "#e2b48f", "#1b1716", "short", "#5a6b4e", "#f4efe6")


def samira_portrait():
    return portrait(("#e4e8f0", "#c3cbdb"), "#a8714f", "#17695a", "scarf", "#1f2f56", "#eef1f6")


PICTURES = {
    "acute-acupuncture": {
        "hero": acute_hero,
        "cover-sleep": sleep_cover,
        "cover-itp": itp_cover,
        "cover-back": back_cover,
        "cover-stress": koru_cover,
        "aroha-ngata": aroha_portrait,
        "daniel-chen": daniel_portrait,
    },
    "zak-clinic": {
        "hero": zak_hero,
        "cover-immune": immune_cover,
        "cover-dry-eye": dry_eye_cover,
        "cover-hay-fever": hay_fever_cover,
        "cover-leukopenia": leukopenia_cover,
        "samira-haddad": samira_portrait,
    },
}


def main() -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        for slug, pictures in PICTURES.items():
            folder = ROOT / "tenants" / slug / "static" / "images"
            (folder / "src").mkdir(parents=True, exist_ok=True)
            for name, draw in pictures.items():
                if len(sys.argv) > 1 and name not in sys.argv[1:]:
                    continue
                source = draw()
                (folder / "src" / f"{name}.svg").write_text(source, encoding="utf-8")
                width = int(source.split('width="', 1)[1].split('"', 1)[0])
                height = int(source.split('height="', 1)[1].split('"', 1)[0])
                page = browser.new_page(viewport={"width": width, "height": height})
                page.set_content(f'<body style="margin:0">{source}</body>')
                page.screenshot(path=str(folder / f"{name}.jpg"), type="jpeg", quality=88)
                page.close()
                print(slug, name, (folder / f"{name}.jpg").stat().st_size)
        browser.close()


if __name__ == "__main__":
    main()
