"""A bundle may override site/ pages for its own clinic only."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import TemplateNotFound

from meridian.templating import TenantOverrideLoader


@pytest.fixture
def tenants_dir(tmp_path: Path) -> Path:
    override = tmp_path / "clinic-a" / "templates" / "site"
    override.mkdir(parents=True)
    (override / "faq.html").write_text(
        '{% extends "site/faq.html" %}{% block title %}Custom FAQ of {{ site.name }}{% endblock %}'
    )
    studio = tmp_path / "clinic-a" / "templates" / "studio"
    studio.mkdir()
    (studio / "index.html").write_text("hijacked")
    return tmp_path


def test_override_applies_to_its_own_clinic_only(tenants_dir, make_app, make_tenant, client_for):
    app = make_app(TENANTS_DIR=str(tenants_dir))
    a = make_tenant("clinic-a", name="Alpha")
    b = make_tenant("clinic-b", name="Beta")
    assert "<title>Custom FAQ of Alpha</title>" in client_for(a, app).get("/faq").text
    beta = client_for(b, app).get("/faq").text
    assert "Custom FAQ" not in beta and "<title>Frequently asked questions — Beta</title>" in beta


def test_only_site_pages_can_be_overridden(tenants_dir):
    loader = TenantOverrideLoader(str(tenants_dir))
    with pytest.raises(TemplateNotFound):
        loader.get_source(None, "@clinic-a/studio/index.html")
    with pytest.raises(TemplateNotFound):
        loader.get_source(None, "@../clinic-a/site/faq.html")
