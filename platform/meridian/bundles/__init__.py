"""Load a tenant bundle (`tenants/<slug>/`) into the database, idempotently.

A bundle is `tenant.toml` plus `posts/*.md` (YAML front matter + Markdown). Loading
the same bundle twice writes nothing; editing a file and loading again updates just
what changed. Rows are matched on natural keys (tenant slug, hostname, location,
service and post slugs, FAQ position), so ids stay stable. Posts created later in
the studio are never deleted by a reload.
"""

from .fields import BundleError, LoadReport
from .loader import BundleLoader, load_bundle

__all__ = ["BundleError", "BundleLoader", "LoadReport", "load_bundle"]
