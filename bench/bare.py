"""Bare Flask returning the very bytes of each measured page: the floor of Flask's own
dispatch on the same server (`make bench` serves it with each app server in turn).

BENCH_BARE_PAGES names a JSON file: {path: [file, content type]}.
"""

import json
import os
from pathlib import Path

from flask import Flask, Response, abort, request

app = Flask(__name__)
_PAGES = {
    path: (Path(file).read_bytes(), content_type)
    for path, (file, content_type) in json.loads(
        Path(os.environ["BENCH_BARE_PAGES"]).read_text()
    ).items()
}


@app.get("/", defaults={"path": ""})
@app.get("/<path:path>")
def page(path: str) -> Response:
    found = _PAGES.get(request.path)
    if found is None:
        abort(404)
    return Response(found[0], content_type=found[1])
