"""A cover photo chosen from the media library in the editor; the library then refuses
to delete it while a post shows it."""

from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from meridian.extensions import db
from meridian.models import MediaItem

from ..media.samples import photo
from .helpers import one_post, post_form


def test_the_editor_offers_the_library_and_the_cover_is_kept(
    app, make_app, make_tenant, signed_in_client, client_for, tmp_path
):
    media_app = make_app(MEDIA_ROOT=str(tmp_path / "media"))
    clinic = make_tenant("clinic-a")
    owner = signed_in_client(clinic, "owner")
    owner.application = media_app
    boundary, body = encode_multipart(
        {
            "csrf_token": owner.csrf,
            "alt": "The treatment room",
            "photo": FileStorage(io.BytesIO(photo(1600, 1000)), filename="room.jpg"),
        }
    )
    uploaded = owner.post(
        "/studio/media", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert uploaded.status_code in (302, 303)
    with media_app.app_context():
        item = db.session.scalars(db.select(MediaItem)).one()
        item_id, first_name = item.id, item.names[0]
    editor = owner.get("/studio/posts/new").text
    assert f'name="cover_media" value="{item_id}"' in editor and first_name in editor
    assert 'href="/studio/media"' in editor
    refused = post_form(owner, "/studio/posts/new", "publish", title="Room", cover_media=item_id)
    assert refused.status_code == 200 and 'id="cover_alt-error"' in refused.text
    assert f'value="{item_id}" checked' in refused.text  # the choice is kept too
    post_form(
        owner,
        "/studio/posts/new",
        "publish",
        title="Room",
        cover_media=item_id,
        cover_alt="A quiet room with a couch by the window",
    )
    assert one_post(app, slug="room").cover_media_id == item_id
    page = client_for(clinic, media_app).get("/blog/room").text
    assert 'alt="A quiet room with a couch by the window"' in page and "srcset=" in page
    confirm = owner.get(f"/studio/media/{item_id}/delete")
    assert "in use" in confirm.text and "the cover of the post “Room”" in confirm.text
    refused = owner.post(f"/studio/media/{item_id}/delete", data={"csrf_token": owner.csrf})
    assert refused.status_code == 409
    with media_app.app_context():
        assert db.session.get(MediaItem, item_id) is not None
