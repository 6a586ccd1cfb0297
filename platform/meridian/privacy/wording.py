"""The sentence each form shows beside its button or box: what the visitor agrees to.

One place, so the form, the notice and (with the notice versions) the record of what a
person agreed to always say the same thing. `{clinic}` is the clinic's name.
"""

from __future__ import annotations

from ..booking.forms import CONSENT_WORDING
from ..models import Tenant

WORDING = {
    "booking": CONSENT_WORDING,  # the consent box's label
    "comment": "{clinic} shows your name and comment on this page once approved; "
    "your e-mail address is never shown.",
    "subscribe": "{clinic} uses your address only to send new articles, until you unsubscribe.",
    "contact": "{clinic} uses your details only to answer your message.",
    "request": "{clinic} uses these details only to answer your request, and keeps a "
    "record of it to show how it was answered.",
}


def wording(form: str, tenant: Tenant) -> str:
    return WORDING[form].format(clinic=tenant.name)
