"""Nothing typed is lost when a save is refused before the view runs.

Two things can refuse a save before the editor sees it: a lost or expired CSRF token
(Flask-WTF, for every POST) and a session that ended while someone was writing (idle
or absolute timeout, signed out elsewhere). For the writing forms (posts, FAQ):

* signed in, token lost: the editor comes back with every word and a fresh token;
* signed out: a page with the words (only what this browser just sent) in a form
  that posts them again, and a link to sign in in a new tab.

Other studio forms get the sign-in package's branded "form expired" page.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, g, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, NotFound

from ..auth.access import access_of, current_role
from ..auth.signin import form_expired
from ..tenancy import resolve_tenant
from . import bp

#: Endpoints whose POST carries someone's writing, and the labels of its fields.
LABELS = {
    "title": "Title",
    "body_md": "Text",
    "excerpt": "Excerpt",
    "slug": "Address",
    "tags": "Tags",
    "author": "Author",
    "cover_alt": "Cover image description",
    "cover_image": "Cover image address",
    "seo_title": "Title for search engines",
    "description": "Description for search engines",
    "question": "Question",
    "answer": "Answer",
}
LONG_FIELDS = {"body_md", "excerpt", "description", "answer"}
KEEPS_TEXT = {"studio.post_create", "studio.post_save", "studio.faq_create", "studio.faq_save"}
#: endpoint -> a function of the view's arguments that shows its form again, as posted.
AFTER_CSRF: dict[str, Callable[..., object]] = {}


def _typed() -> list[tuple[str, str]]:
    return [(k, v) for k, v in request.form.items(multi=False) if k not in {"csrf_token"}]


def rescue_page(reason: str, status: int) -> tuple[str, int]:
    return (
        render_template(
            "studio/rescue.html",
            reason=reason,
            fields=_typed(),
            labels=LABELS,
            long_fields=LONG_FIELDS,
        ),
        status,
    )


def keep_typed_text(refused: Response):
    """Called by the studio's guard with its refusal: a signed-out POST of writing gets
    its words back instead of a redirect that would drop them."""
    if (
        request.method == "POST"
        and request.endpoint in KEEPS_TEXT
        and not current_user.is_authenticated
    ):
        return rescue_page(
            "You were signed out (for example after a while without activity), so this "
            "was not saved.",
            401,
        )
    return refused


def _may_write() -> bool:
    access = access_of(request.endpoint)
    return current_user.is_authenticated and access is not None and current_role() in access.roles


@bp.errorhandler(CSRFError)
def csrf_failed(error: CSRFError):
    """The writing forms keep their words; every other studio form gets the sign-in
    package's branded "form expired" page."""
    if request.endpoint not in KEEPS_TEXT:
        return form_expired(error)
    # The CSRF check runs before the tenant is resolved: resolve it now (the session
    # is bound to the clinic, so who is signed in can only be known after that).
    try:
        if "host" not in g:
            resolve_tenant()
        if g.get("tenant") is None:
            raise NotFound()
    except HTTPException as refused:  # not a clinic host (the guard would say the same)
        return render_template(
            "errors/generic.html", code=refused.code, error=refused
        ), refused.code
    if _may_write() and request.endpoint in AFTER_CSRF:
        return AFTER_CSRF[request.endpoint](**(request.view_args or {}))
    return rescue_page(
        "This page’s security check expired or was lost, so this was not saved.", 400
    )
