"""A clinic's domains: added by a platform admin, proved by a DNS TXT record, then served.

* A new domain is *pending*: it serves nothing until whoever controls its DNS publishes
  `meridian-verify=<token>` as a TXT record at `_meridian-challenge.<domain>`, and an
  admin asks Meridian to check (dnspython). Then it is *verified* and serves the clinic.
  Only verified domains (and PLATFORM_HOSTS) are trusted hosts (meridian.hosts).
* Domains written by an operator (bundles, `flask tenants load`) are verified on arrival:
  the operator vouches for them.
* Host names are stored lower case, without scheme, port or trailing dot, as IDNA
  (`bücher.example` is stored as `xn--bcher-kva.example`), and unique across the platform.
"""

from __future__ import annotations

import re
import secrets

import dns.exception
import dns.resolver
from flask import current_app
from sqlalchemy import select

from .extensions import db
from .models import Domain, Tenant, utcnow

CHALLENGE_PREFIX = "_meridian-challenge"
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class DomainError(ValueError):
    """Why a domain cannot be added or changed, in words for the admin."""


def normalise_hostname(raw: str) -> str:
    """`Harbour-Physio.NZ.` -> `harbour-physio.nz`; raises DomainError if it is not a
    host name a clinic could own (an IP address, a port, a path or a single label)."""
    host = (raw or "").strip().lower().rstrip(".")
    if "://" in host or any(ch in host for ch in "/:@ ?#\\"):
        raise DomainError("Enter the domain alone, like clinic.example.com (no https://, no path).")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise DomainError("That is not a valid domain name.") from error
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise DomainError("That is not a valid domain name.")
    if labels[-1].isdigit():
        raise DomainError("Use a domain name, not an IP address.")
    return host


def challenge_name(domain: Domain) -> str:
    return f"{CHALLENGE_PREFIX}.{domain.hostname}"


def challenge_value(domain: Domain) -> str:
    return f"meridian-verify={domain.verification_token}"


def hostname_taken(hostname: str) -> bool:
    if hostname in current_app.config["PLATFORM_HOSTS"]:
        return True
    found = db.session.scalars(
        select(Domain.id).where(Domain.hostname == hostname).execution_options(all_tenants=True)
    ).first()
    return found is not None


def add_pending(tenant: Tenant, raw: str) -> Domain:
    """A new, pending domain for the clinic (the caller commits)."""
    hostname = normalise_hostname(raw)
    if hostname_taken(hostname):
        raise DomainError(f"{hostname} is already in use on Meridian.")
    domain = Domain(
        tenant_id=tenant.id,
        hostname=hostname,
        is_primary=False,
        verification_token=secrets.token_urlsafe(24),
    )
    db.session.add(domain)
    # The column's default verifies (for operator-written rows); an explicit None in the
    # constructor would be replaced by it, so the pending state is set after the INSERT.
    db.session.flush()
    domain.verified_at = None
    db.session.flush()
    return domain


def _resolver() -> dns.resolver.Resolver:
    """The system's resolver, or DNS_RESOLVER (`host:port`, e.g. a test server)."""
    configured = current_app.config.get("DNS_RESOLVER", "")
    if not configured:
        resolver = dns.resolver.Resolver()
    else:
        host, _, port = configured.rpartition(":")
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [host or configured]
        resolver.port = int(port) if host else 53
    resolver.lifetime = float(current_app.config.get("DNS_TIMEOUT_SECONDS", 5))
    return resolver


def txt_records(name: str) -> list[str]:
    try:
        answer = _resolver().resolve(name, "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer, dns.resolver.NoNameservers):
        return []
    except dns.exception.Timeout as error:
        raise DomainError("The DNS lookup timed out. Please try again in a minute.") from error
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]


def verify(domain: Domain) -> bool:
    """Check the TXT record; mark the domain verified if it is there (caller commits)."""
    if domain.verified_at is not None:
        return True
    if challenge_value(domain) in txt_records(challenge_name(domain)):
        domain.verified_at = utcnow()
        return True
    return False


def make_primary(domain: Domain) -> None:
    """The domain links, e-mails and sign-in use. Only a verified domain can be it."""
    if domain.verified_at is None:
        raise DomainError("Verify the domain before making it the primary one.")
    for other in domain.tenant.domains:
        if other.is_primary and other.id != domain.id:
            other.is_primary = False
    db.session.flush()  # one primary at a time (a partial unique index)
    domain.is_primary = True


def remove(domain: Domain) -> None:
    if domain.is_primary:
        raise DomainError("Choose another primary domain before removing this one.")
    db.session.delete(domain)
