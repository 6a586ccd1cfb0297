"""Fetching other people's URLs for the blog import, safely (no SSRF).

Every request, and every redirect hop, is checked before anything is sent:

* http or https only, no user name or password in the URL;
* the host name is resolved here and *every* address it has must be on the public
  internet (not private, loopback, link-local, shared, multicast or reserved), unless it
  is in IMPORT_ALLOWED_NETWORKS (tests serve fixture sites on loopback);
* the connection goes to the address that was checked (the Host header and TLS name
  stay the host name), so a second DNS answer cannot swap in an internal address;
* at most IMPORT_MAX_REDIRECTS redirects, each checked the same way;
* the body is read in chunks and refused past `max_bytes`; the whole fetch, redirects
  included, must finish within IMPORT_TIMEOUT_SECONDS.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from flask import current_app

USER_AGENT = "Meridian blog import (+https://meridian.example/import)"
REDIRECTS = {301, 302, 303, 307, 308}
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """The URL could not be fetched; `str()` says why, in words for the admin."""


class FetchRefused(FetchError):
    """The URL was refused before any request (scheme, address, size or time limits)."""


@dataclass
class Fetched:
    url: str  # after redirects
    status: int
    content_type: str
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode(self.charset, errors="replace")

    @property
    def charset(self) -> str:
        for part in self.content_type.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip('"')
        return "utf-8"


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    raw = current_app.config.get("IMPORT_ALLOWED_NETWORKS") or ()
    if isinstance(raw, str):
        raw = [part for part in raw.replace(",", " ").split() if part]
    return [ipaddress.ip_network(net, strict=False) for net in raw]


def address_allowed(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in net for net in _allowed_networks()):
        return True
    return address.is_global and not address.is_multicast


def resolve_checked(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, address to connect to) or FetchRefused."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefused(f"Only http and https addresses can be imported ({url[:80]}).")
    if parts.username or parts.password:
        raise FetchRefused("Addresses with a user name or password are not fetched.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchRefused(f"{url[:80]} has no host name.")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise FetchRefused(f"{url[:80]} has an invalid port.") from exc
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"{host} could not be found.") from exc
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not address_allowed(address):
            raise FetchRefused(
                f"{host} points at a private or local network address ({address}); "
                "Meridian only fetches from the public internet."
            )
        addresses.append(str(address))
    if not addresses:
        raise FetchError(f"{host} could not be found.")
    return scheme, host, port, addresses[0]


def _pool(scheme: str, host: str, port: int, address: str, timeout: urllib3.Timeout):
    if scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
        )
    return urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False, maxsize=1)


def fetch(url: str, *, max_bytes: int | None = None, accept: str = "*/*") -> Fetched:
    """GET `url` within the limits above; FetchError for a 4xx/5xx answer or a network
    failure, FetchRefused for anything the guard refuses."""
    config = current_app.config
    limit = int(max_bytes or config["IMPORT_MAX_BYTES"])
    seconds = float(config["IMPORT_TIMEOUT_SECONDS"])
    deadline = time.monotonic() + seconds
    for _hop in range(int(config["IMPORT_MAX_REDIRECTS"]) + 1):
        scheme, host, port, address = resolve_checked(url)
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        default = 443 if scheme == "https" else 80
        host_header = host if port == default else f"{host}:{port}"
        if ":" in host and not host.startswith("["):
            host_header = f"[{host}]" if port == default else f"[{host}]:{port}"
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchRefused(f"{url[:80]} took longer than {seconds:g} seconds.")
        timeout = urllib3.Timeout(connect=min(remaining, 10.0), read=remaining)
        pool = _pool(scheme, host, port, address, timeout)
        try:
            response = pool.urlopen(
                "GET",
                target,
                headers={"Host": host_header, "User-Agent": USER_AGENT, "Accept": accept},
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
        except urllib3.exceptions.TimeoutError as exc:
            raise FetchRefused(f"{url[:80]} took longer than {seconds:g} seconds.") from exc
        except urllib3.exceptions.HTTPError as exc:
            raise FetchError(f"{url[:80]} could not be reached ({type(exc).__name__}).") from exc
        try:
            if response.status in REDIRECTS:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(f"{url[:80]} redirects nowhere.")
                url = urljoin(url, location)
                continue
            if response.status >= 400:
                raise FetchError(f"{url[:80]} answered {response.status}.")
            declared = response.headers.get("Content-Length")
            if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
                raise FetchRefused(f"{url[:80]} is larger than {limit // 1_000_000} MB.")
            chunks, size = [], 0
            try:
                while chunk := response.read1(64 * 1024):  # what has arrived, at once
                    size += len(chunk)
                    if size > limit:
                        raise FetchRefused(f"{url[:80]} is larger than {limit // 1_000_000} MB.")
                    if time.monotonic() > deadline:
                        raise FetchRefused(f"{url[:80]} took longer than {seconds:g} seconds.")
                    chunks.append(chunk)
            except urllib3.exceptions.TimeoutError as exc:
                raise FetchRefused(f"{url[:80]} took longer than {seconds:g} seconds.") from exc
            except urllib3.exceptions.HTTPError as exc:
                raise FetchError(f"{url[:80]} could not be read ({type(exc).__name__}).") from exc
            return Fetched(
                url=url,
                status=response.status,
                content_type=response.headers.get("Content-Type", ""),
                body=b"".join(chunks),
            )
        finally:
            response.release_conn()
            pool.close()
    raise FetchRefused(f"{url[:80]} redirects more than {config['IMPORT_MAX_REDIRECTS']} times.")
