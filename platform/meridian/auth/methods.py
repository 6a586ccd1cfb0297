"""Second-factor methods to load before the studio and admin blueprints are built.

Import each method's module here (it calls `second_factor.register(...)` on import).
None yet: the twofactor work adds TOTP, recovery codes and passkeys.
"""
