"""Passwords: argon2id hashes, a constant-time answer for unknown accounts, and the rules.

Rules follow NIST SP 800-63B: 12 to 128 characters, refused when on a list of common
passwords (the ~30,000 of the `zxcvbn` package, with trailing digits and symbols
stripped as well) or when it is the account's own e-mail; no composition rules.
"""

from __future__ import annotations

import contextlib
import functools
import re

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

from ..models import User

MIN_LENGTH = 12
MAX_LENGTH = 128
_TRAILING = re.compile(r"[\d\W_]+$")


@functools.cache
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
    )


def hasher() -> PasswordHasher:
    config = current_app.config
    return _hasher(
        int(config["ARGON2_TIME_COST"]),
        int(config["ARGON2_MEMORY_KIB"]),
        int(config["ARGON2_PARALLELISM"]),
    )


@functools.cache
def _dummy_hash(time_cost: int, memory_kib: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_kib, parallelism).hash("not a password of anyone")


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """True if `password` is the user's. An unknown user (None) or one without a
    password costs the same argon2 work as a real check, so timing tells nothing."""
    ph = hasher()
    stored = user.password_hash if user is not None else None
    if not stored:
        with contextlib.suppress(VerificationError):
            ph.verify(_dummy_hash(ph.time_cost, ph.memory_cost, ph.parallelism), password)
        return False
    try:
        return ph.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(user: User) -> bool:
    """True when the stored hash was made with other parameters than today's."""
    return bool(user.password_hash) and hasher().check_needs_rehash(user.password_hash)


@functools.cache
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def password_problem(password: str, email: str = "") -> str | None:
    """What is wrong with a new password, as a sentence for the form, or None."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. A few unrelated words make a good one."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    common = common_passwords()
    stripped = _TRAILING.sub("", lowered)
    if lowered in common or (stripped and stripped in common) or len(set(lowered)) < 4:
        return "This password is too common and easy to guess. Please choose another."
    if email and lowered.strip() in {email.lower(), email.lower().partition("@")[0]}:
        return "Please don't use your e-mail address as your password."
    return None
