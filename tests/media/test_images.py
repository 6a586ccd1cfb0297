"""Image processing: what is accepted, how copies look, and that no metadata survives."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from meridian.media.images import ImageRefused, process, sniff

from .samples import (
    GPS_IFD,
    HTML_AS_PNG,
    SVG_WITH_SCRIPT,
    huge_png,
    phone_photo,
    photo,
    truncated_jpeg,
)

WIDTHS = (400, 800, 1200, 1600, 2400)


def run(data: bytes, **kw):
    return process(data, max_pixels=kw.pop("max_pixels", 50_000_000), widths=WIDTHS, **kw)


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def heic(width: int, height: int) -> bytes:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 60)).save(out, "HEIF")
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "label"),
    [("JPEG", "JPEG"), ("PNG", "PNG"), ("WEBP", "WebP"), ("AVIF", "AVIF"), ("HEIF", "HEIC")],
)
def test_each_accepted_format_becomes_webp_copies(fmt, label):
    data = heic(1000, 750) if fmt == "HEIF" else photo(1000, 750, fmt)
    result = run(data)
    assert result.source_format == label
    assert [(c.width, c.height) for c in result.copies] == [(400, 300), (800, 600), (1000, 750)]
    for copy in result.copies:
        image = opened(copy.data)
        assert image.format == "WEBP"
        assert image.size == (copy.width, copy.height)


def test_the_type_comes_from_the_content_not_the_name():
    assert sniff(photo(10, 10, "PNG")[:64]) == "png"
    assert sniff(photo(10, 10, "JPEG")[:64]) == "jpeg"
    assert sniff(HTML_AS_PNG[:64]) is None
    assert sniff(SVG_WITH_SCRIPT[:64]) is None


def test_a_phone_photo_ends_up_upright_with_no_metadata():
    original = phone_photo()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the sample has GPS
    (copy,) = run(original).copies
    image = opened(copy.data)
    assert image.size == (300, 400)  # stored 400×300 sideways, orientation 6
    # The red block of the stored top-left corner is now top-right, the rest blue.
    red, blue = image.getpixel((280, 20)), image.getpixel((20, 20))
    assert red[0] > 180 and red[2] < 80, red
    assert blue[2] > 120 and blue[0] < 90, blue
    assert len(image.getexif()) == 0
    assert not image.getexif().get_ifd(GPS_IFD)
    assert not {"exif", "icc_profile", "xmp", "comment"} & set(image.info)
    for needle in (b"Exif", b"PhoneMaker", b"secret note", b"GPS"):
        assert needle not in copy.data


def test_colour_profiles_are_applied_then_dropped():
    from PIL import ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = photo(600, 400, "PNG", icc_profile=srgb)
    assert "icc_profile" in opened(data).info
    for copy in run(data).copies:
        assert "icc_profile" not in opened(copy.data).info
        assert b"ICC_PROFILE" not in copy.data and b"ICCP" not in copy.data


def test_transparency_is_kept():
    image = Image.new("RGBA", (500, 500), (255, 0, 0, 0))
    image.paste((0, 0, 255, 255), (0, 0, 250, 250))
    out = io.BytesIO()
    image.save(out, "PNG")
    (small, full) = run(out.getvalue()).copies
    clear = opened(full.data)
    assert clear.mode == "RGBA"
    assert clear.getpixel((400, 400))[3] == 0 and clear.getpixel((10, 10))[3] == 255


def test_copies_are_never_wider_than_the_original_or_the_widest_size():
    assert [c.width for c in run(photo(300, 200)).copies] == [300]
    assert [c.width for c in run(photo(3000, 1000)).copies] == [400, 800, 1200, 1600, 2400]
    digests = {c.digest for c in run(photo(3000, 1000)).copies}
    assert len(digests) == 5


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (HTML_AS_PNG, "not a photo we can use"),
        (SVG_WITH_SCRIPT, "not a photo we can use"),
        (b"GIF89a" + bytes(100), "not a photo we can use"),
        (b"", "not a photo we can use"),
        (b"\xff\xd8\xff\xe0" + bytes(200), "cannot be read"),
    ],
    ids=["html-named-png", "svg-with-script", "gif", "empty", "jpeg-signature-only"],
)
def test_files_that_are_not_accepted_images_are_refused(data, message):
    with pytest.raises(ImageRefused, match=message):
        run(data)


def test_a_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(ImageRefused, match="too large to process safely"):
        run(huge_png())


def test_the_pixel_limit_is_ours_not_only_pillows():
    with pytest.raises(ImageRefused, match="more than 1 megapixels"):
        run(photo(1200, 1000), max_pixels=1_000_000)


def test_a_truncated_jpeg_is_refused():
    with pytest.raises(ImageRefused, match="incomplete or damaged"):
        run(truncated_jpeg())


def test_an_iphone_style_heic_with_orientation_and_gps_ends_up_upright_and_clean():
    from pillow_heif import register_heif_opener

    register_heif_opener()
    stored = Image.new("RGB", (400, 300), (40, 90, 160))
    stored.paste((220, 20, 20), (0, 0, 100, 100))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(GPS_IFD).update({1: "S", 2: (41.0, 17.0, 12.5)})
    out = io.BytesIO()
    stored.save(out, "HEIF", exif=exif.tobytes())
    (copy,) = run(out.getvalue()).copies
    image = opened(copy.data)
    assert image.size == (300, 400)
    red = image.getpixel((280, 20))
    assert red[0] > 180 and red[2] < 80, red
    assert len(image.getexif()) == 0 and b"GPS" not in copy.data
