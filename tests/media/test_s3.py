"""The S3 backend against a real (local) S3 server: moto in server mode, over HTTP."""

from __future__ import annotations

import io

import boto3
import pytest

from meridian.media import service
from meridian.media.images import ImageRefused
from meridian.media.storage import S3Storage, storage

from .samples import photo, truncated_jpeg


def bucket_keys(app) -> list[str]:
    client = boto3.client(
        "s3",
        endpoint_url=app.config["S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    answer = client.list_objects_v2(Bucket=app.config["S3_BUCKET"])
    return sorted(entry["Key"] for entry in answer.get("Contents", []))


def test_put_get_delete_round_trip(s3_app):
    with s3_app.app_context():
        backend = storage()
        assert isinstance(backend, S3Storage)
        key = "7/0123456789abcdef-400w-0123456789ab.webp"
        assert backend.get(key) is None and not backend.exists(key)
        backend.put(key, b"RIFF....WEBP", "image/webp")
        assert backend.get(key) == b"RIFF....WEBP" and backend.exists(key)
        head = backend.client.head_object(Bucket=backend.bucket, Key="media/" + key)
        assert head["ContentType"] == "image/webp"
        assert "immutable" in head["CacheControl"]
        backend.delete(key)
        assert backend.get(key) is None
        with pytest.raises(ValueError):
            backend.put("../7/x.webp", b"", "image/webp")


def test_an_upload_is_stored_in_the_bucket_and_served(s3_app, make_tenant, client_for):
    tenant = make_tenant()
    with s3_app.app_context():
        item = service.save_upload(tenant.id, io.BytesIO(photo(1300, 900)), filename="a.jpg")
        names = item.names
    assert bucket_keys(s3_app) == sorted(f"media/{tenant.id}/{name}" for name in names)
    response = client_for(tenant, s3_app).get(f"/media/{names[-1]}")
    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert "immutable" in response.headers["Cache-Control"]


def test_a_refused_upload_leaves_the_bucket_empty(s3_app, make_tenant):
    tenant = make_tenant()
    with s3_app.app_context(), pytest.raises(ImageRefused):
        service.save_upload(tenant.id, io.BytesIO(truncated_jpeg()), filename="cut.jpg")
    assert bucket_keys(s3_app) == []


def test_delete_removes_the_objects(s3_app, make_tenant):
    tenant = make_tenant()
    with s3_app.app_context():
        item = service.save_upload(tenant.id, io.BytesIO(photo(500, 400)), filename="a.jpg")
        assert bucket_keys(s3_app)
        service.delete_item(item)
    assert bucket_keys(s3_app) == []
