"""Files for the media tests, made on the fly (nothing binary is committed)."""

from __future__ import annotations

import io
import zlib

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def photo(width: int = 800, height: int = 600, fmt: str = "JPEG", **save: object) -> bytes:
    """A photo-like image: a gradient with noise (compresses like a real photo)."""
    base = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 40)
    image = Image.merge("RGB", (base, noise, base.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def phone_photo() -> bytes:
    """A 400×300 JPEG stored sideways (EXIF orientation 6: turn 90° clockwise to view)
    with GPS, camera make and a comment, as phones write them. The stored image has a
    red block in its top-left corner, which belongs top-right once turned upright."""
    image = Image.new("RGB", (400, 300), (40, 90, 160))
    image.paste((220, 20, 20), (0, 0, 100, 100))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "S", 2: (41.0, 17.0, 12.5), 3: "E", 4: (174.0, 46.0, 35.2)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90, comment=b"secret note")
    return out.getvalue()


def huge_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A real, valid PNG of width×height grey pixels: a few hundred kB that would
    decode to `width*height` bytes (the classic decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    packer = zlib.compressobj(9)
    row = bytes(width + 1)  # filter byte 0 + a row of zeros
    parts = [packer.compress(row) for _ in range(height)]
    parts.append(packer.flush())
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"".join(parts))
        + chunk(b"IEND", b"")
    )


HTML_AS_PNG = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script><rect width='10' height='10'/></svg>"
)


def truncated_jpeg() -> bytes:
    whole = photo(1200, 900, quality=92)
    return whole[: len(whole) // 2]


def fifty_megabytes() -> bytes:
    """A JPEG signature followed by 50 MB: refused for its size before anything else."""
    return b"\xff\xd8\xff\xe0" + bytes(50 * 1_000_000)
