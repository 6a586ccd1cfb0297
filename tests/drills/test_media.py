"""Media on the shared S3-compatible bucket: a photo uploaded in the studio through one
app server is served by the other and through the proxy."""

from __future__ import annotations

import io
import re
import time
from html import unescape

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from .client import CSRF, Client

pytestmark = pytest.mark.drill

HOST = "zak-clinic.localhost"


def owner_cookie(stack, sql) -> str:
    """A signed-in session for a new owner of the clinic, as if they had signed in
    (signed with the stack's SECRET_KEY, the way the app signs its own)."""
    tenant = sql("SELECT id FROM tenant WHERE slug = 'zak-clinic'")[0][0]
    email = f"drill-owner-{time.time_ns()}@zak-clinic.example"
    user = sql(
        """INSERT INTO "user" (email, display_name, session_version, is_platform_admin,
             is_active, created_at) VALUES (%s, 'Drill owner', 1, false, true, now())
           RETURNING id""",
        (email,),
    )[0][0]
    sql(
        "INSERT INTO membership (tenant_id, user_id, role, created_at) "
        "VALUES (%s, %s, 'owner', now())",
        (tenant, user),
    )
    signer = Flask("drill")
    signer.secret_key = stack.env()["SECRET_KEY"]
    now = int(time.time())
    data = {
        "_user_id": f"{user}:1",
        "_fresh": True,
        "auth_t": f"tenant:{tenant}",
        "auth_at": now,
        "auth_seen": now,
    }
    return SecureCookieSessionInterface().get_signing_serializer(signer).dumps(data)


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), (31, 78, 95)).save(out, format="PNG")
    return out.getvalue()


def test_an_upload_through_one_server_is_served_by_the_other(stack, sql, report):
    ca = str(stack.ca)
    one = Client(HOST, stack.https_port, ca, direct=stack.app_ports[0])
    other = Client(HOST, stack.https_port, ca, direct=stack.app_ports[1])
    proxy = Client(HOST, stack.https_port, ca)
    one.cookies["session"] = owner_cookie(stack, sql)
    library = one.get("/studio/media")
    assert library.status == 200, library.status
    token = CSRF.search(library.body)
    began = time.monotonic()
    answer = one.post(
        "/studio/media",
        {"csrf_token": unescape(token.group(1)), "alt": "A teal square"},
        files={"photo": ("square.png", png(), "image/png")},
    )
    upload_seconds = time.monotonic() - began
    assert answer.status == 303, (answer.status, answer.body[:500])
    page = one.get("/studio/media").body
    sources = re.findall(r'src="(/media/[^"]+)"', page)
    assert sources, "the library shows no photo"
    first = one.get(sources[0])
    elsewhere = other.get(sources[0])
    proxied = proxy.get(sources[0])
    stored = len(stack.s3_keys())
    for client in (one, other, proxy):
        client.close()
    report(
        "media-on-s3",
        upload_seconds=f"{upload_seconds:.2f}",
        copies_in_bucket=stored,
        via_other_server=elsewhere.status,
        via_proxy=proxied.status,
    )
    assert first.status == elsewhere.status == proxied.status == 200
    assert first.body == elsewhere.body == proxied.body
    assert stored >= 1
