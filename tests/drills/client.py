"""A small HTTPS client for the drills: trusts the stack's CA, keeps cookies, books.

Standard library only (http.client + ssl), one keep-alive connection per client, as a
browser would; every call has a timeout, and every address is 127.0.0.1.
"""

from __future__ import annotations

import gzip
import http.client
import itertools
import re
import ssl
import time
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlencode

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
START = re.compile(r'name="start" value="([^"]+)"')
DAY = re.compile(r'href="/book\?day=([0-9-]+)&amp;location=(\d+)&amp;service=(\d+)#times"')
NEXT_WEEK = re.compile(r'href="(/book\?[^"]*week=[^"]*)">Next week')
OPTION = re.compile(r'name="(location|service)"[^>]*value="(\d+)"')


class _Connection(http.client.HTTPSConnection):
    """To 127.0.0.1, with SNI and certificate checks for the clinic's own name
    (`*.localhost` resolves in browsers and curl, not in Python's resolver)."""

    def __init__(self, name: str, port: int, context: ssl.SSLContext, timeout: float) -> None:
        super().__init__("127.0.0.1", port, timeout=timeout, context=context)
        self.name = name
        self.tls = context

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)
        self.sock = self.tls.wrap_socket(self.sock, server_hostname=self.name)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.status < 500


@dataclass
class Client:
    host: str
    port: int
    ca: str
    timeout: float = 10.0
    cookies: dict[str, str] = field(default_factory=dict)
    #: Straight to an app server (plain HTTP on `direct`), as nginx would send it:
    #: the public Host and port, X-Forwarded-Proto https and this client address.
    direct: int | None = None
    client_ip: str = "127.0.0.1"
    _conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self.direct is not None:
                self._conn = http.client.HTTPConnection(
                    "127.0.0.1", self.direct, timeout=self.timeout
                )
            else:
                context = ssl.create_default_context(cafile=self.ca)
                self._conn = _Connection(self.host, self.port, context, self.timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        extra: dict[str, str] | None = None,
    ) -> Answer:
        headers = {"Host": f"{self.host}:{self.port}", "User-Agent": "meridian-drill"}
        headers |= extra or {}
        if self.direct is not None:
            headers |= {"X-Forwarded-Proto": "https", "X-Forwarded-For": self.client_ip}
        body: str | bytes | None = None
        if files is not None:
            body, headers["Content-Type"] = _multipart(form or {}, files)
        elif form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if form is not None or files is not None:
            headers["Origin"] = f"https://{self.host}:{self.port}"
            headers["Referer"] = f"https://{self.host}:{self.port}{path}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        began = time.monotonic()
        try:
            conn = self._connection()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            if response.getheader("Content-Encoding") == "gzip":
                data = gzip.decompress(data)
            text = data.decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.close()
            return Answer(0, {}, "", time.monotonic() - began)
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        answer_headers = {k.lower(): v for k, v in response.getheaders()}
        if answer_headers.get("connection", "").lower() == "close":
            self.close()
        return Answer(response.status, answer_headers, text, time.monotonic() - began)

    def get(self, path: str, **headers: str) -> Answer:
        """GET; `headers` by their Python names (accept_encoding="gzip")."""
        extra = {name.replace("_", "-").title(): value for name, value in headers.items()}
        return self.request("GET", path, extra=extra)

    def post(self, path: str, form: dict[str, str], files=None) -> Answer:
        return self.request("POST", path, form, files)


def _multipart(form: dict[str, str], files: dict[str, tuple[str, bytes, str]]):
    boundary = "meridian-drill-boundary-7c1f"
    parts: list[bytes] = []
    for name, value in form.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, data, content_type) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def free_starts(client: Client, want: int, days: int = 20) -> list[tuple[str, str, str]]:
    """Up to `want` free (location, service, start) triples, walking the booking pages."""
    page = client.get("/book").body
    options = OPTION.findall(page)
    locations = [v for k, v in options if k == "location"][:1]
    services = [v for k, v in options if k == "service"][:1]
    found: list[tuple[str, str, str]] = []
    for location in locations:
        for service in services:
            listing = client.get(f"/book?location={location}&service={service}").body
            free_days: list[str] = []
            for _ in range(10):  # the week view lists one week: follow "Next week"
                free_days += [day for day, _, _ in DAY.findall(listing)]
                later = NEXT_WEEK.search(listing)
                if len(free_days) >= days or later is None:
                    break
                listing = client.get(unescape(later.group(1)).split("#")[0]).body
            for day in free_days[:days]:
                times = client.get(f"/book?day={day}&location={location}&service={service}")
                for start in START.findall(times.body):
                    found.append((location, service, unescape(start)))
                    if len(found) >= want:
                        return found
    return found


_visitors = itertools.count(1)


def book(
    client: Client, location: str, service: str, start: str, prefilled: Answer | None = None
) -> Answer:
    """The details step as a browser does it: GET the form (unless `prefilled` is that
    page), POST it with its token. Each call is a new visitor (its own e-mail and
    phone: some services are for new clients only)."""
    n = next(_visitors)
    query = urlencode({"location": location, "service": service, "start": start})
    page = prefilled or client.get(f"/book/details?{query}")
    token = CSRF.search(page.body)
    if page.status != 200 or token is None:
        return page
    return client.post(
        f"/book/details?{query}",
        {
            "csrf_token": unescape(token.group(1)),
            "location": location,
            "service": service,
            "start": start,
            "name": f"Drill Visitor {n}",
            "email": f"drill{n}@example.com",
            "phone": f"020 7946 {n % 10000:04d}",
            "reason": "",
            "consent": "y",
        },
    )
