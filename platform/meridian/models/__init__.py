"""Meridian's data model. Every clinic-owned table carries `tenant_id`."""

from .accounts import (
    ROLE_LABELS,
    ROLES,
    AuditEvent,
    Invitation,
    Membership,
    User,
    normalise_email,
)
from .base import TenantOwned, UTCDateTime, utcnow
from .booking import GRANULE_MINUTES, Booking, Closure, NewClientClaim, OutboxMessage, SlotClaim
from .clinic import WEEKDAYS, Faq, Location, LocationNotifyMember, OpeningHours, Service
from .content import POST_STATUSES, Post, PostRevision, Tag, post_tag
from .engagement import (
    COMMENT_POLICIES,
    Comment,
    ContactMessage,
    Like,
    PostMailing,
    Subscriber,
)
from .factors import Passkey, RecoveryCode, TotpCredential
from .imports import ImportedItem, ImportRun
from .media import MediaItem
from .missing import MissingPath
from .practitioner import Practitioner, PractitionerHours, PractitionerService, TimeOff
from .privacy import (
    REQUEST_KINDS,
    RETENTION_DEFAULTS,
    RETENTION_FIELDS,
    DataRequest,
    PrivacyNotice,
    PrivacySettings,
)
from .redirect import Redirect
from .tenant import Domain, Tenant

__all__ = [
    "ROLES",
    "ROLE_LABELS",
    "AuditEvent",
    "Invitation",
    "Membership",
    "User",
    "normalise_email",
    "GRANULE_MINUTES",
    "Booking",
    "Closure",
    "COMMENT_POLICIES",
    "Comment",
    "ContactMessage",
    "Like",
    "PostMailing",
    "Subscriber",
    "NewClientClaim",
    "OutboxMessage",
    "SlotClaim",
    "WEEKDAYS",
    "Domain",
    "Faq",
    "ImportRun",
    "ImportedItem",
    "Location",
    "LocationNotifyMember",
    "MediaItem",
    "MissingPath",
    "Passkey",
    "RecoveryCode",
    "TotpCredential",
    "OpeningHours",
    "POST_STATUSES",
    "Post",
    "PostRevision",
    "Redirect",
    "Practitioner",
    "DataRequest",
    "PrivacyNotice",
    "REQUEST_KINDS",
    "PrivacySettings",
    "RETENTION_DEFAULTS",
    "RETENTION_FIELDS",
    "PractitionerHours",
    "PractitionerService",
    "TimeOff",
    "Service",
    "Tag",
    "Tenant",
    "TenantOwned",
    "UTCDateTime",
    "post_tag",
    "utcnow",
]
