"""The media library: checked, re-encoded, responsive images stored per clinic.

* `images.process` sniffs, checks and re-encodes an upload (or raises ImageRefused).
* `service` is the one write path: `save_upload`, `set_alt`, `delete_item`.
* `storage` keeps the copies in a folder or an S3-compatible bucket (MEDIA_STORAGE).
* `views` serves them at `/media/<name>`; `helpers.media_img` renders the `<img>`.
"""

from flask import Blueprint, Flask

bp = Blueprint("media", __name__)

from . import views  # noqa: E402,F401  (registers the routes)


def init_app(app: Flask) -> None:
    from . import helpers, storage

    storage.init_app(app)
    app.add_template_global(helpers.media_img)
    app.add_template_global(helpers.media_url)
    app.add_template_global(helpers.media_srcset)
    app.register_blueprint(bp)
