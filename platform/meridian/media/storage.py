"""Where the re-encoded copies live: a folder (default) or S3-compatible object storage.

Keys look like `<tenant_id>/<name>`; the tenant id is always the first part, so a
clinic's host can only ever ask for its own files. Both backends offer the same four
calls, and nothing else in Meridian knows which one is in use.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

#: `<tenant id>/<token>-<width>w-<hash>.<ext>`: anything else is never read or written.
KEY = re.compile(r"^[0-9]{1,12}/[a-z0-9]{16,32}-[0-9]{1,5}w-[0-9a-f]{12,64}\.(?:webp|jpg|png)$")


class StorageError(Exception):
    """The storage backend failed (disk full, bucket unreachable, …)."""


def _checked(key: str) -> str:
    if not KEY.match(key):
        raise ValueError(f"not a media key: {key!r}")
    return key


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes | None: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...


class FolderStorage:
    """Files under a folder (default `instance/media/`), written atomically."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except OSError as exc:
            raise StorageError(str(exc)) from exc

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


class S3Storage:
    """An S3-compatible bucket (AWS S3, MinIO, Ceph, R2…) through boto3."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        prefix: str = "",
    ) -> None:
        import boto3
        from botocore.config import Config as BotoConfig

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region or None,
            aws_access_key_id=access_key or None,
            aws_secret_access_key=secret_key or None,
            config=BotoConfig(
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
            ),
        )

    def _key(self, key: str) -> str:
        return self.prefix + _checked(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._key(key),
                Body=data,
                ContentType=content_type,
                CacheControl="public, max-age=31536000, immutable",
            )
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(str(exc)) from exc

    def get(self, key: str) -> bytes | None:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                return None
            raise StorageError(str(exc)) from exc
        return answer["Body"].read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError:
            return False
        return True


def build_storage(config: dict) -> Storage:
    """The backend named by MEDIA_STORAGE (`folder` or `s3`)."""
    kind = config.get("MEDIA_STORAGE", "folder")
    if kind == "folder":
        root = config.get("MEDIA_ROOT") or Path(config["INSTANCE_PATH"]) / "media"
        return FolderStorage(root)
    if kind == "s3":
        if not config.get("S3_BUCKET"):
            raise RuntimeError("MEDIA_STORAGE=s3 needs S3_BUCKET")
        return S3Storage(
            config["S3_BUCKET"],
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            region=config.get("S3_REGION"),
            access_key=config.get("S3_ACCESS_KEY_ID"),
            secret_key=config.get("S3_SECRET_ACCESS_KEY"),
            prefix=config.get("S3_PREFIX", ""),
        )
    raise RuntimeError(f"MEDIA_STORAGE must be 'folder' or 's3', not {kind!r}")


def init_app(app: Flask) -> None:
    # Built lazily on first use: no network call inside the factory.
    app.extensions["meridian.media_storage"] = None


def storage() -> Storage:
    """The application's storage backend (built once per app)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    backend = app.extensions.get("meridian.media_storage")
    if backend is None:
        backend = build_storage(app.config)
        app.extensions["meridian.media_storage"] = backend
    return backend
