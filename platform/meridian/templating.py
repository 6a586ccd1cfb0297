"""Shared templates plus per-tenant overrides of `site/` pages from the bundle.

`render_site("post.html", ...)` tries `@<slug>/site/post.html` (the file
`tenants/<slug>/templates/site/post.html`) before `site/post.html`. The tenant is in
the template's *name*, so Jinja's template cache can never mix two clinics up.
Only `site/` pages can be overridden: studio, admin, auth and e-mails cannot.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask, render_template
from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, TemplateNotFound

from .tenancy import current_tenant

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class TenantOverrideLoader(BaseLoader):
    """Loads `@<slug>/site/<name>` from `<tenants_dir>/<slug>/templates/site/<name>`."""

    def __init__(self, tenants_dir: str) -> None:
        self.tenants_dir = Path(tenants_dir)

    def get_source(self, environment, template: str):
        if not template.startswith("@"):
            raise TemplateNotFound(template)
        slug, _, rest = template[1:].partition("/")
        if not _SLUG.match(slug) or not rest.startswith("site/"):
            raise TemplateNotFound(template)
        loader = FileSystemLoader(str(self.tenants_dir / slug / "templates"))
        return loader.get_source(environment, rest)


def render_site(name: str, **context: Any) -> str:
    tenant = current_tenant()
    return render_template([f"@{tenant.slug}/site/{name}", f"site/{name}"], **context)


def init_app(app: Flask, templates_dir: Path) -> None:
    app.jinja_loader = ChoiceLoader(  # type: ignore[assignment]
        [FileSystemLoader(str(templates_dir)), TenantOverrideLoader(app.config["TENANTS_DIR"])]
    )
