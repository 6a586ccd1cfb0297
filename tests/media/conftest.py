"""Media fixtures: an app whose media folder is this test's own, and a local S3 server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from meridian.extensions import db
from meridian.models import MediaItem

from .samples import photo


@pytest.fixture
def media_app(make_app, tmp_path: Path) -> Flask:
    """The test app with media stored in a fresh folder (`app.config['MEDIA_ROOT']`)."""
    return make_app(MEDIA_ROOT=str(tmp_path / "media"))


def stored_files(app: Flask) -> list[Path]:
    root = Path(app.config["MEDIA_ROOT"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def media_rows(app: Flask) -> int:
    with app.app_context():
        return len(
            db.session.scalars(db.select(MediaItem).execution_options(all_tenants=True)).all()
        )


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a free loopback port, for the whole run."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_app(make_app, s3_endpoint: str, request) -> Flask:
    """The test app storing media in a fresh bucket of the local S3 server."""
    import boto3

    bucket = "meridian-" + re.sub(r"[^a-z0-9]+", "-", request.node.name.lower())[:40].strip("-")
    settings = {
        "endpoint_url": s3_endpoint,
        "region_name": "us-east-1",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    boto3.client("s3", **settings).create_bucket(Bucket=bucket)
    return make_app(
        MEDIA_STORAGE="s3",
        S3_BUCKET=bucket,
        S3_ENDPOINT_URL=s3_endpoint,
        S3_REGION="us-east-1",
        S3_ACCESS_KEY_ID="testing",
        S3_SECRET_ACCESS_KEY="testing",
        S3_PREFIX="media",
    )


@pytest.fixture(scope="session")
def big_photo() -> bytes:
    """A 6000×4000 (24-megapixel) JPEG, as a modern phone or camera takes."""
    return photo(6000, 4000, quality=90)
