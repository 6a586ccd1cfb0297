"""Configuration that must refuse to start, in one line, and what must keep starting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from meridian import create_app
from meridian.config import secret_key_problem

ROOT = Path(__file__).resolve().parents[1]
STRONG = "3f9c2b7e8a1d4c6f0b5e9a2d7c4f1e8b"


@pytest.mark.parametrize(
    "key", ["", "dev", "test-secret", "x" * 64, "changeme-changeme-changeme-12"]
)
def test_weak_or_missing_secret_keys_are_named(key):
    assert secret_key_problem(key) is not None
    assert secret_key_problem(STRONG) is None


@pytest.mark.parametrize("key", ["", "short-secret"])
def test_the_app_refuses_to_start_without_a_strong_secret_key(key):
    with pytest.raises(SystemExit) as refused:
        create_app({"SECRET_KEY": key})
    message = str(refused.value)
    assert "\n" not in message and message.startswith("Meridian refuses to start: SECRET_KEY")
    create_app({"SECRET_KEY": STRONG})  # a strong key starts
    create_app({"SECRET_KEY": "", "TESTING": True})  # the tests may use any key


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "REDIS_URL"}}
    env.pop("RATE_LIMITS_ENABLED", None)
    return env | extra


def test_the_cli_says_why_in_one_line(tmp_path):
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "current"],
        cwd=ROOT,
        env=_env(MERIDIAN_INSTANCE=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1].startswith("Meridian refuses to start: SECRET_KEY")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("extra", "why"),
    [
        ({}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": STRONG, "WEB_CONCURRENCY": "2"}, "rate-limit counts in memory"),
    ],
)
def test_gunicorn_refuses_before_any_worker_starts(tmp_path, extra, why):
    done = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "-b",
            "127.0.0.1:0",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=_env(MERIDIAN_INSTANCE=str(tmp_path), **extra),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert why in done.stderr and "Booting worker" not in done.stderr, done.stderr
