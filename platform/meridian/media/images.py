"""Turn an uploaded file into clean, upright, responsive WebP copies, or refuse it.

The type is sniffed from the first bytes (the file name and the browser's claimed type
are ignored) and only JPEG, PNG, WebP, AVIF and HEIC/HEIF get as far as a decoder. The
pixel count is checked from the header before anything is decoded, so a decompression
bomb costs nothing. The EXIF orientation is applied, colours are converted to sRGB,
and then every piece of metadata (EXIF with GPS, XMP, ICC, comments) is dropped: the
copies are encoded from bare pixels.
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from dataclasses import dataclass, field

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

#: Sniffed kind -> (Pillow format name, how we name it to people).
KINDS = {
    "jpeg": ("JPEG", "JPEG"),
    "png": ("PNG", "PNG"),
    "webp": ("WEBP", "WebP"),
    "avif": ("AVIF", "AVIF"),
    "heif": ("HEIF", "HEIC"),
}
ACCEPTED_NAMES = "JPEG, PNG, WebP, AVIF or HEIC"
_AVIF_BRANDS = {b"avif", b"avis"}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_ORIENTATION = 0x0112
_SWAPS_AXES = {5, 6, 7, 8}
_RESIZABLE = {"RGB", "RGBA", "L", "CMYK"}


class ImageRefused(ValueError):
    """The upload is not an image we accept; `str(exc)` is said to the person."""


@dataclass
class Copy:
    width: int
    height: int
    data: bytes
    digest: str = field(init=False)

    def __post_init__(self) -> None:
        self.digest = hashlib.sha256(self.data).hexdigest()[:12]


@dataclass
class Processed:
    source_format: str
    copies: list[Copy]

    @property
    def widest(self) -> Copy:
        return self.copies[-1]


def sniff(head: bytes) -> str | None:
    """The kind of image these first bytes start, or None (HTML, SVG, PDF, GIF…)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        size = int.from_bytes(head[:4], "big")
        box = head[8 : max(16, min(size, len(head)))]
        brands = {box[i : i + 4] for i in range(0, len(box) - 3, 4)}
        brands.discard(b"\x00\x00\x00\x00")
        if brands & _AVIF_BRANDS:
            return "avif"
        if brands & _HEIF_BRANDS:
            return "heif"
    return None


_heif_ready = False


def _enable_heif() -> None:
    global _heif_ready
    if not _heif_ready:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_ready = True


def _open(data: bytes, kind: str, max_pixels: int) -> Image.Image:
    fmt, label = KINDS[kind]
    if kind == "heif":
        _enable_heif()
    too_big = (
        f"This image is too large to process safely (more than {max_pixels / 1e6:.0f} "
        "megapixels). Please upload a smaller copy."
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[fmt])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageRefused(too_big) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise ImageRefused(
                f"This file looks like a {label} but cannot be read: it may be damaged. "
                "Please export it again and retry."
            ) from exc
    width, height = image.size
    if width < 1 or height < 1 or width * height > max_pixels:
        raise ImageRefused(too_big)
    return image


def _decode(image: Image.Image, kind: str, widest: int) -> Image.Image:
    """Decode the pixels (for JPEG at the smallest scale still ≥ `widest` wide) upright."""
    orientation = image.getexif().get(_ORIENTATION, 1)
    upright_width = image.height if orientation in _SWAPS_AXES else image.width
    if kind == "jpeg" and upright_width > widest:
        scale = widest / upright_width
        image.draft("RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale)))
    try:
        image.load()
        return ImageOps.exif_transpose(image) or image
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageRefused(
            "This image is incomplete or damaged (the upload may have been cut short). "
            "Please try again with the original file."
        ) from exc


def _to_srgb(image: Image.Image) -> Image.Image:
    """Bare sRGB pixels: colour-managed if the file had a profile, every tag dropped."""
    has_alpha = image.mode in {"RGBA", "LA", "PA", "La", "RGBa"} or (
        image.mode == "P" and "transparency" in image.info
    )
    mode = "RGBA" if has_alpha else "RGB"
    profile = image.info.get("icc_profile")
    converted = None
    if profile and image.mode in {"RGB", "RGBA", "CMYK"}:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            target = ImageCms.createProfile("sRGB")
            converted = ImageCms.profileToProfile(image, source, target, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None
    if converted is None:
        converted = image.convert(mode) if image.mode != mode else image.copy()
    # A new image from the raw pixels: nothing of the file's info can follow it.
    return Image.frombytes(mode, converted.size, converted.tobytes())


def process(data: bytes, *, max_pixels: int, widths: tuple[int, ...], quality: int = 80):
    """Check and re-encode `data`; returns the copies, narrowest first."""
    kind = sniff(data[:64])
    if kind is None:
        raise ImageRefused(
            f"This file is not a photo we can use. Please upload a {ACCEPTED_NAMES} image "
            "(SVG, GIF and other files are refused)."
        )
    image = _open(data, kind, max_pixels)
    widest = max(widths)
    try:
        upright = _decode(image, kind, widest)
        if upright.width > widest and upright.mode in _RESIZABLE:
            # Shrink before colour conversion: far less work on a 24-megapixel photo.
            height = max(1, round(upright.height * widest / upright.width))
            upright = upright.resize((widest, height), Image.LANCZOS, reducing_gap=3.0)
        pixels = _to_srgb(upright)
    finally:
        image.close()
    top = min(widest, pixels.width)
    sizes = sorted({w for w in widths if w < top} | {top})
    copies = []
    for width in sizes:
        height = max(1, round(pixels.height * width / pixels.width))
        frame = pixels if width == pixels.width else pixels.resize((width, height), Image.LANCZOS)
        out = io.BytesIO()
        frame.save(out, "WEBP", quality=quality, method=4)
        copies.append(Copy(width, height, out.getvalue()))
    return Processed(source_format=KINDS[kind][1], copies=copies)
