"""/privacy: the clinic's privacy notice, a cached reading page like any other.

Generated from the clinic's rows and its retention settings (meridian.privacy); a
change to either bumps the content version, so the notice is current at the next
request and cached until then.
"""

from __future__ import annotations

from ..pagecache import public_page
from ..privacy import notice as notices
from ..privacy.wording import wording
from ..templating import render_site
from ..tenancy import current_tenant
from ..urls import tenant_url
from . import bp


@bp.get("/privacy")
@public_page()
def privacy():
    tenant = current_tenant()
    return render_site(
        "privacy.html",
        notice=notices.build(tenant),
        canonical=tenant_url(tenant, "site.privacy"),
    )


@bp.app_template_global("consent_wording")
def consent_wording(form: str) -> str:
    """The sentence a form shows about the visitor's data (see privacy/wording.py)."""
    return wording(form, current_tenant())


@bp.app_template_filter("period")
def period(count: int, unit: str) -> str:
    """`24|period("month")` -> "2 years"; `18|period("month")` -> "18 months"."""
    if unit == "month" and count % 12 == 0:
        count, unit = count // 12, "year"
    return f"{count} {unit}{'' if count == 1 else 's'}"
