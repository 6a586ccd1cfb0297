"""The media library pages: upload from the browser form, describe, delete; per clinic."""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from meridian.extensions import db
from meridian.models import AuditEvent, MediaItem, Tenant

from ..factories import row_counts
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


@pytest.fixture
def owner(media_app, make_tenant, signed_in_client):
    tenant = make_tenant("clinic-a")
    client = signed_in_client(tenant, "owner")
    client.application = media_app
    client.tenant = tenant
    return client


def post_photo(client, data: bytes, name: str = "room.jpg", alt: str = "The treatment room"):
    """Encoded in memory: the test client would spool a large body to a temporary file
    it never closes."""
    boundary, body = encode_multipart(
        {
            "csrf_token": client.csrf,
            "alt": alt,
            "photo": FileStorage(io.BytesIO(data), filename=name, content_type="image/png"),
        }
    )
    return client.post(
        "/studio/media", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def test_the_library_page_shows_the_upload_form(owner):
    page = owner.get("/studio/media")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert 'accept="image/jpeg,image/png' in page.text
    assert "no-store" in page.headers["Cache-Control"]


def test_a_phone_photo_uploads_and_is_listed_upright_without_gps(owner, media_app):
    response = post_photo(owner, phone_photo(), "IMG_0001.JPG")
    assert response.status_code == 303
    page = owner.get("/studio/media")
    assert "IMG_0001.JPG" in page.text and "300×400" in page.text
    assert 'alt="The treatment room"' in page.text
    with media_app.app_context():
        item = db.session.scalars(db.select(MediaItem)).one()
        assert (item.width, item.height) == (300, 400)
        audit = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "media.upload")
        ).one()
        assert audit.tenant_id == owner.tenant.id and audit.actor_email == owner.user.email
    for path in stored_files(media_app):
        assert b"GPS" not in path.read_bytes() and b"Exif" not in path.read_bytes()


BAD = {
    "html-renamed-png": (HTML_AS_PNG, "x.png", "not a photo we can use"),
    "svg-with-script": (SVG_WITH_SCRIPT, "x.svg", "not a photo we can use"),
    "20000x20000-png": (None, "bomb.png", "too large to process safely"),
    "50-mb-file": (None, "big.jpg", "larger than the 20 MB limit"),
    "truncated-jpeg": (None, "cut.jpg", "incomplete or damaged"),
}
MAKE = {
    "20000x20000-png": huge_png,
    "50-mb-file": fifty_megabytes,
    "truncated-jpeg": truncated_jpeg,
}


@pytest.mark.parametrize("case", list(BAD))
def test_each_bad_file_gets_a_message_next_to_the_field_and_nothing_is_stored(
    case, owner, media_app
):
    data, name, message = BAD[case]
    response = post_photo(owner, data if data is not None else MAKE[case](), name, alt="Kept text")
    assert response.status_code == 400
    assert 'id="photo-error"' in response.text and message in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'value="Kept text"' in response.text  # what was typed is kept
    assert media_rows(media_app) == 0
    assert stored_files(media_app) == []


def test_no_file_and_an_overlong_description(owner, media_app):
    response = owner.post("/studio/media", data={"csrf_token": owner.csrf, "alt": "x"})
    assert response.status_code == 400 and "Choose a photo" in response.text
    response = post_photo(owner, photo(500, 400), alt="y" * 301)
    assert response.status_code == 400 and 'id="alt-error"' in response.text
    assert media_rows(media_app) == 0 and stored_files(media_app) == []


def test_without_csrf_nothing_is_stored(owner, media_app):
    response = owner.post(
        "/studio/media",
        data={"photo": (io.BytesIO(photo(400, 300)), "a.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (400, 403)
    assert media_rows(media_app) == 0 and stored_files(media_app) == []


def test_describe_then_delete_after_confirming(owner, media_app):
    post_photo(owner, photo(900, 600), alt="")
    with media_app.app_context():
        item = db.session.scalars(db.select(MediaItem)).one()
    field = f"m{item.id}-alt"
    response = owner.post(
        f"/studio/media/{item.id}/alt", data={"csrf_token": owner.csrf, field: "A quiet room"}
    )
    assert response.status_code == 303
    refused = owner.post(
        f"/studio/media/{item.id}/alt", data={"csrf_token": owner.csrf, field: "z" * 400}
    )
    assert refused.status_code == 400 and "z" * 400 in refused.text
    with media_app.app_context():
        assert db.session.get(MediaItem, item.id).alt == "A quiet room"
    confirm = owner.get(f"/studio/media/{item.id}/delete")
    assert confirm.status_code == 200 and "Delete this photo?" in confirm.text
    assert media_rows(media_app) == 1  # asking changed nothing
    gone = owner.post(f"/studio/media/{item.id}/delete", data={"csrf_token": owner.csrf})
    assert gone.status_code == 303
    assert media_rows(media_app) == 0 and stored_files(media_app) == []


def test_an_editor_may_use_the_library_and_the_front_desk_may_not(
    media_app, make_tenant, signed_in_client
):
    tenant = make_tenant("clinic-a")
    editor = signed_in_client(tenant, "editor")
    editor.application = media_app
    assert post_photo(editor, photo(400, 300)).status_code == 303
    desk = signed_in_client(tenant, "front_desk")
    desk.application = media_app
    assert desk.get("/studio/media").status_code == 403
    assert post_photo(desk, photo(400, 300)).status_code == 403
    assert media_rows(media_app) == 1


def test_another_clinics_media_ids_are_refused_and_nothing_changes(
    media_app, make_tenant, signed_in_client, app
):
    a, b = make_tenant("clinic-a"), make_tenant("clinic-b")
    b_owner = signed_in_client(b, "owner")
    b_owner.application = media_app
    post_photo(b_owner, photo(400, 300), alt="B's photo")
    with media_app.app_context():
        theirs = db.session.scalars(db.select(MediaItem)).one()
    a_owner = signed_in_client(a, "owner")
    a_owner.application = media_app
    before = row_counts(app)
    files = stored_files(media_app)
    field = f"m{theirs.id}-alt"
    for method, url, data in [
        ("POST", f"/studio/media/{theirs.id}/alt", {field: "hijacked"}),
        ("GET", f"/studio/media/{theirs.id}/delete", None),
        ("POST", f"/studio/media/{theirs.id}/delete", {}),
    ]:
        payload = None if data is None else {"csrf_token": a_owner.csrf} | data
        response = a_owner.open(url, method=method, data=payload)
        assert response.status_code == 404, url
    assert "B&#39;s photo" not in a_owner.get("/studio/media").text
    assert a_owner.get(f"/media/{theirs.names[0]}").status_code == 404
    assert row_counts(app) == before and stored_files(media_app) == files
    with media_app.app_context():
        assert db.session.get(MediaItem, theirs.id).alt == "B's photo"


def test_a_photo_used_as_the_logo_cannot_be_deleted(owner, media_app):
    post_photo(owner, photo(600, 300))
    with media_app.app_context():
        item = db.session.scalars(db.select(MediaItem)).one()
        tenant = db.session.get(Tenant, owner.tenant.id)
        tenant.logo = f"media/{item.names[0]}"
        item_id = item.id
        db.session.commit()
    confirm = owner.get(f"/studio/media/{item_id}/delete")
    assert "in use" in confirm.text and "logo" in confirm.text
    refused = owner.post(f"/studio/media/{item_id}/delete", data={"csrf_token": owner.csrf})
    assert refused.status_code == 409
    assert media_rows(media_app) == 1 and len(stored_files(media_app)) == 2


def test_a_photo_used_as_a_post_cover_cannot_be_deleted(owner, media_app, make_post):
    post_photo(owner, photo(600, 300))
    with media_app.app_context():
        item_id = db.session.scalars(db.select(MediaItem.id)).one()
    make_post(owner.tenant, "spring", title="Spring tips", cover_media_id=item_id)
    confirm = owner.get(f"/studio/media/{item_id}/delete")
    assert "in use" in confirm.text and "Spring tips" in confirm.text
    refused = owner.post(f"/studio/media/{item_id}/delete", data={"csrf_token": owner.csrf})
    assert refused.status_code == 409
    assert media_rows(media_app) == 1 and len(stored_files(media_app)) == 2
