"""Load a tenant bundle (`tenants/<slug>/`) into the database, idempotently.

A bundle is `tenant.toml` plus `posts/*.md` (YAML front matter + Markdown). Loading
the same bundle twice writes nothing; editing a file and loading again updates just
what changed. Rows are matched on natural keys (tenant slug, hostname, location,
service and post slugs, FAQ position), so ids stay stable. Posts created later in
the studio are never deleted by a reload.

Once a clinic is edited in the studio the database is the source of truth: a load
that would change such a clinic is refused (`StudioEdits`, listing the changes) unless
`replace=True`; `export_bundle` writes the clinic back out as a bundle that loads to
the same rows.
"""

from .export import export_bundle
from .fields import BundleError, LoadReport, StudioEdits
from .loader import BundleLoader, load_bundle

__all__ = [
    "BundleError",
    "BundleLoader",
    "LoadReport",
    "StudioEdits",
    "export_bundle",
    "load_bundle",
]
