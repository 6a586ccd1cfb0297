"""Contact messages: kept in the studio's inbox, announced to the clinic by e-mail.

The e-mail says who wrote and how to reach them (Reply-To is the visitor), and links
to the message in the studio; the message itself stays out of e-mail, because people
write about their health in it.
"""

from __future__ import annotations

from .. import mail
from ..extensions import db
from ..models import ContactMessage, Tenant, utcnow
from ..privacy import versions
from ..urls import origin_for

STATES = {"read": "read_at", "replied": "replied_at", "archived": "archived_at"}


def receive(tenant: Tenant, *, name: str, email: str, phone: str, body: str) -> ContactMessage:
    message = ContactMessage(
        tenant_id=tenant.id,
        name=name,
        email=email,
        phone=phone,
        body=body,
        status="new",
        **versions.consent_fields(tenant, "contact"),
    )
    db.session.add(message)
    db.session.flush()
    location = tenant.primary_location
    if location is not None and location.email:
        mail.queue(
            tenant,
            "contact-message",
            location.email,
            "contact_message",
            key=f"contact-message:{message.id}",
            headers={"Reply-To": email},
            message=message,
            inbox_url=origin_for(tenant.primary_host) + f"/studio/messages/{message.id}",
        )
    return message


def set_state(message: ContactMessage, state: str) -> bool:
    """Mark read, replied or archived (or back to new); True if it changed."""
    if state == message.status:
        return False
    message.status = state
    if state in STATES:
        setattr(message, STATES[state], utcnow())
    return True
