"""`/form-stamp`: the signed "form opened now" value engage.js puts into a form when the
reader first touches it (see guard.py). No cookie; never cached; changes nothing."""

from __future__ import annotations

from flask import abort, request

from .. import guard
from . import bp

FORMS = ("comment", "subscribe", "contact")


@bp.get("/form-stamp")
def form_stamp():
    form = request.args.get("form", "")
    if form not in FORMS:
        abort(404)
    return guard.make_stamp(form), 200, {"Content-Type": "text/plain; charset=utf-8"}
