"""The proxy cache's rules, through nginx: public pages are kept (per host), a
request with a session or a response with a cookie never is, nor any booking,
studio or admin answer."""

from __future__ import annotations

import time

import pytest

from .client import Client

pytestmark = pytest.mark.drill

HOST = "zak-clinic.localhost"
OTHER = "acute-acupuncture.localhost"


def states(client: Client, path: str, n: int = 6) -> list[str]:
    seen = []
    for _ in range(n):
        seen.append(client.get(path).headers.get("x-proxy-cache", "-"))
        time.sleep(0.02)
    return seen


def test_the_proxy_cache_keeps_only_what_is_public(stack, report):
    ca = str(stack.ca)
    reader, other = Client(HOST, stack.https_port, ca), Client(OTHER, stack.https_port, ca)
    public = states(reader, "/blog")
    # Same path, other clinic: its own entry, its own page.
    zak, acute = reader.get("/blog").body, other.get("/blog").body
    signed_in = Client(HOST, stack.https_port, ca)
    signed_in.cookies["session"] = "anything"
    with_session = states(signed_in, "/blog")
    booking = states(reader, "/book")
    visitor = Client(HOST, stack.https_port, ca)
    details = [visitor.get("/book/details") for _ in range(3)]
    staff, platform = Client(HOST, stack.https_port, ca), Client("localhost", stack.https_port, ca)
    studio = states(staff, "/studio/")
    admin = states(platform, "/admin/")
    for client in (reader, other, signed_in, visitor, staff, platform):
        client.close()
    report(
        "proxy-cache-rules",
        public=",".join(public),
        with_session=",".join(set(with_session)),
        booking=",".join(set(booking)),
        studio=",".join(set(studio)),
        admin=",".join(set(admin)),
    )
    assert "HIT" in public
    assert "Zak Clinic" in zak and "Zak Clinic" not in acute
    assert set(with_session) == {"BYPASS"}
    assert "HIT" not in booking + studio + admin
    assert all(d.headers.get("x-proxy-cache", "-") != "HIT" for d in details)


def test_public_pages_are_compressed_and_signed_in_pages_are_not(stack, report):
    """gzip for reading pages (with a weak ETag that still revalidates); never for a
    page with a CSRF token (BREACH), and never for a client that did not ask."""
    ca = str(stack.ca)
    reader, staff = Client(HOST, stack.https_port, ca), Client(HOST, stack.https_port, ca)
    plain = reader.get("/blog")
    packed = reader.get("/blog", accept_encoding="gzip")
    again = reader.get("/blog", accept_encoding="gzip", if_none_match=packed.headers["etag"])
    sign_in = staff.get("/studio/sign-in", accept_encoding="gzip")
    for client in (reader, staff):
        client.close()
    report(
        "compression",
        public=packed.headers.get("content-encoding", "-"),
        revalidated=again.status,
        studio=sign_in.headers.get("content-encoding", "-"),
    )
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers.get("vary", "")
    assert packed.body == plain.body  # the same page, decompressed
    assert again.status == 304
    assert sign_in.status == 200 and 'name="csrf_token"' in sign_in.body
    assert "content-encoding" not in sign_in.headers
