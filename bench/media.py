"""Media processing benchmark: how long an upload of a large photo takes to process.

    .venv/bin/python bench/media.py [--rounds 5]

Times `meridian.media.images.process` (sniff, pixel check, decode with EXIF
orientation, sRGB, strip metadata, 5 WebP widths) on photo-like images of 12, 24 and
48 megapixels in JPEG, and a 24-megapixel PNG, and prints the median per size. No
storage or database: writing ~1.2 MB of copies is measured by the test suite's
round trips, not here.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

from PIL import Image

from meridian.media.images import process

WIDTHS = (400, 800, 1200, 1600, 2400)
CASES = [
    ("12 MP JPEG (4000×3000)", 4000, 3000, "JPEG"),
    ("24 MP JPEG (6000×4000)", 6000, 4000, "JPEG"),
    ("48 MP JPEG (8000×6000)", 8000, 6000, "JPEG"),
    ("24 MP PNG (6000×4000)", 6000, 4000, "PNG"),
]


def photo(width: int, height: int, fmt: str) -> bytes:
    base = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 40)
    image = Image.merge("RGB", (base, noise, base.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": 90} if fmt == "JPEG" else {"compress_level": 1}))
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print("| image | upload size | median s | min s | copies |\n|---|---:|---:|---:|---:|")
    for label, width, height, fmt in CASES:
        data = photo(width, height, fmt)
        timings = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            result = process(data, max_pixels=50_000_000, widths=WIDTHS)
            timings.append(time.perf_counter() - started)
        size = f"{len(data) / 1e6:.1f} MB"
        print(
            f"| {label} | {size} | {statistics.median(timings):.2f} | {min(timings):.2f} "
            f"| {len(result.copies)} |"
        )


if __name__ == "__main__":
    main()
