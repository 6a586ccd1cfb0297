"""The media write path and serving: all or nothing, per clinic, cached for a year."""

from __future__ import annotations

import io

import pytest
from flask import render_template_string

from meridian.extensions import db
from meridian.media import service
from meridian.media.images import ImageRefused
from meridian.media.storage import StorageError, storage
from meridian.models import MediaItem, Tenant

from .conftest import media_rows, stored_files
from .samples import (
    HTML_AS_PNG,
    SVG_WITH_SCRIPT,
    fifty_megabytes,
    huge_png,
    phone_photo,
    photo,
    truncated_jpeg,
)

BAD_FILES = {
    "html-renamed-png": ("evil.png", HTML_AS_PNG, "not a photo we can use"),
    "svg-with-script": ("logo.svg", SVG_WITH_SCRIPT, "not a photo we can use"),
    "20000x20000-png": ("huge.png", None, "too large to process safely"),
    "50-mb-file": ("big.jpg", None, "larger than the 20 MB limit"),
    "truncated-jpeg": ("cut.jpg", None, "incomplete or damaged"),
}
MAKERS = {
    "20000x20000-png": huge_png,
    "50-mb-file": fifty_megabytes,
    "truncated-jpeg": truncated_jpeg,
}


def upload(app, tenant: Tenant, data: bytes, name: str = "photo.jpg", alt: str = "A room"):
    with app.app_context():
        item = service.save_upload(tenant.id, io.BytesIO(data), filename=name, alt=alt)
        db.session.refresh(item)
        db.session.expunge(item)
        return item


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_each_bad_file_is_refused_and_nothing_is_stored(case, media_app, make_tenant):
    tenant = make_tenant()
    name, data, message = BAD_FILES[case]
    data = data if data is not None else MAKERS[case]()
    with pytest.raises(ImageRefused, match=message):
        upload(media_app, tenant, data, name)
    assert media_rows(media_app) == 0
    assert stored_files(media_app) == []


def test_a_24_megapixel_photo_completes_and_its_copies_exist(media_app, make_tenant, big_photo):
    tenant = make_tenant()
    item = upload(media_app, tenant, big_photo, "camera.jpg")
    assert (item.width, item.height) == (2400, 1600)
    assert [w for w, _, _ in item.variants] == [400, 800, 1200, 1600, 2400]
    files = stored_files(media_app)
    assert sorted(f.name for f in files) == sorted(item.names)
    assert all(f.parent.name == str(tenant.id) for f in files)
    assert item.source_format == "JPEG" and item.filename == "camera.jpg"


def test_names_are_random_and_carry_the_content_hash(media_app, make_tenant):
    tenant = make_tenant()
    data = photo(900, 600)
    first, second = upload(media_app, tenant, data), upload(media_app, tenant, data)
    assert first.token != second.token
    # Same pixels, same hash; different uploads, different names.
    assert [n.split("-", 1)[1] for n in first.names] == [n.split("-", 1)[1] for n in second.names]
    assert not set(first.names) & set(second.names)


class FailingStorage:
    """Stores two copies, then fails like a full disk or an unreachable bucket."""

    def __init__(self, real) -> None:
        self.real, self.calls = real, 0

    def put(self, key, data, content_type):
        self.calls += 1
        if self.calls == 3:
            raise StorageError("disk full")
        self.real.put(key, data, content_type)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_a_storage_failure_half_way_leaves_nothing(media_app, make_tenant):
    tenant = make_tenant()
    with media_app.app_context():
        media_app.extensions["meridian.media_storage"] = FailingStorage(storage())
    with pytest.raises(ImageRefused, match="could not be stored"):
        upload(media_app, tenant, photo(2000, 1500))
    assert media_rows(media_app) == 0
    assert stored_files(media_app) == []


def test_a_database_failure_removes_the_stored_copies(media_app, make_tenant, monkeypatch):
    tenant = make_tenant()

    def broken_commit():
        raise RuntimeError("database went away")

    with media_app.app_context():
        monkeypatch.setattr(db.session, "commit", broken_commit)
        with pytest.raises(RuntimeError):
            service.save_upload(tenant.id, io.BytesIO(photo(900, 600)), filename="a.jpg")
        monkeypatch.undo()
    assert media_rows(media_app) == 0
    assert stored_files(media_app) == []


def test_alt_text_and_delete(media_app, make_tenant):
    tenant = make_tenant()
    item = upload(media_app, tenant, photo(900, 600), alt="")
    with media_app.app_context():
        row = db.session.get(MediaItem, item.id)
        assert service.set_alt(row, "  The   treatment room ") == ("", "The treatment room")
        with pytest.raises(ValueError, match="under 300"):
            service.set_alt(row, "x" * 301)
        db.session.rollback()
        assert db.session.get(MediaItem, item.id).alt == "The treatment room"
        service.delete_item(db.session.get(MediaItem, item.id))
    assert media_rows(media_app) == 0
    assert stored_files(media_app) == []


def test_copies_are_served_per_clinic_with_a_long_immutable_lifetime(
    media_app, make_tenant, client_for
):
    mine, other = make_tenant("clinic-a"), make_tenant("clinic-b")
    item = upload(media_app, mine, photo(900, 600))
    url = f"/media/{item.names[0]}"
    response = client_for(mine, media_app).get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/webp"
    assert response.data[:4] == b"RIFF" and response.data[8:12] == b"WEBP"
    cache = response.headers["Cache-Control"]
    assert "immutable" in cache and "max-age=31536000" in cache and "public" in cache
    assert "Set-Cookie" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    etag = response.headers["ETag"]
    again = client_for(mine, media_app).get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    # Another clinic's host never serves it, nor does the platform host.
    assert client_for(other, media_app).get(url).status_code == 404
    assert client_for("localhost", media_app).get(url).status_code == 404


def test_a_copy_whose_row_is_gone_is_not_served(media_app, make_tenant, client_for):
    tenant = make_tenant()
    item = upload(media_app, tenant, photo(500, 400))
    with media_app.app_context():
        db.session.execute(db.delete(MediaItem).where(MediaItem.id == item.id))
        db.session.commit()
    assert stored_files(media_app)  # the file is still there…
    assert client_for(tenant, media_app).get(f"/media/{item.names[0]}").status_code == 404


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "x.webp", "0123456789abcdef-400w-0123456789ab.png", "%2e%2e"],
)
def test_odd_names_are_404(name, media_app, make_tenant, client_for):
    tenant = make_tenant()
    assert client_for(tenant, media_app).get(f"/media/{name}").status_code == 404


def test_media_img_renders_a_responsive_lazy_image(media_app, make_tenant):
    tenant = make_tenant()
    item = upload(media_app, tenant, photo(1000, 500), alt='Room "B" & garden')
    with media_app.test_request_context(base_url=f"http://{tenant.primary_host}"):
        html = render_template_string(
            "{{ media_img(item, sizes='(min-width: 40rem) 40rem, 100vw') }}", item=item
        )
        eager = render_template_string(
            "{{ media_img(item, alt='', loading='eager', fetchpriority='high') }}", item=item
        )
        assert render_template_string("{{ media_img(None) }}") == ""
    w400, w800, w1000 = item.names
    assert html == (
        f'<img src="/media/{w800}" srcset="/media/{w400} 400w, /media/{w800} 800w, '
        f'/media/{w1000} 1000w" sizes="(min-width: 40rem) 40rem, 100vw" width="1000" '
        'height="500" alt="Room &#34;B&#34; &amp; garden" loading="lazy" decoding="async">'
    )
    assert 'alt=""' in eager and 'loading="eager"' in eager and 'fetchpriority="high"' in eager


def test_an_upload_changes_the_content_version(media_app, make_tenant):
    tenant = make_tenant()
    upload(media_app, tenant, phone_photo())
    with media_app.app_context():
        assert db.session.get(Tenant, tenant.id).content_version > tenant.content_version
