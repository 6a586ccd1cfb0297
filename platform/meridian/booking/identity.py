"""Who a client is, for "new clients only": one mailbox however it is written.

`First.Last@gmail.com`, `firstlast@googlemail.com` and `first.last+again@gmail.com`
reach the same inbox, so they are the same client. The canonical form is lower case
with an ASCII (IDNA) domain; for providers known to ignore dots and/or `+tags` in the
local part, those are removed too. Other domains keep dots and tags: a clinic's own
domain may well deliver `a.b@` and `ab@` to different people.
"""

from __future__ import annotations

from contextlib import suppress

from email_validator import EmailNotValidError, validate_email

#: domain -> (canonical domain, ignores dots, ignores +tags)
PROVIDERS: dict[str, tuple[str, bool, bool]] = {
    "gmail.com": ("gmail.com", True, True),
    "googlemail.com": ("gmail.com", True, True),
    "outlook.com": ("outlook.com", False, True),
    "hotmail.com": ("hotmail.com", False, True),
    "live.com": ("live.com", False, True),
    "icloud.com": ("icloud.com", False, True),
    "me.com": ("me.com", False, True),
    "fastmail.com": ("fastmail.com", False, True),
    "proton.me": ("proton.me", False, True),
    "protonmail.com": ("protonmail.com", False, True),
}


def canonical_email(raw: str) -> str:
    """The mailbox behind an address, for comparison only (never for sending)."""
    text = raw.strip()
    # A malformed address is compared as typed; the form refuses those anyway.
    with suppress(EmailNotValidError):
        text = validate_email(text, check_deliverability=False).ascii_email or text
    local, _, domain = text.lower().rpartition("@")
    domain, no_dots, no_tags = PROVIDERS.get(domain, (domain, False, False))
    if no_tags:
        local = local.split("+", 1)[0]
    if no_dots:
        local = local.replace(".", "")
    return f"{local}@{domain}"
