"""Second-factor methods to load before the studio and admin blueprints are built.

Importing a module here registers its method (`second_factor.register(...)`) or its
pages (`second_factor.add_page(...)`); the blueprints then mount their routes.
"""

from . import factor_views, security  # noqa: F401
