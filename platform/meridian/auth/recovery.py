"""Recovery codes: ten single-use codes, shown once, for a lost phone or passkey.

Each code carries 50 random bits (ten base-32 characters, shown as `abcde-fghij`), so a
plain SHA-256 of it is safe to store: there is nothing to guess a dictionary from.
A code is spent with a conditional UPDATE, so two requests racing with one code cannot
both sign in.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete, func, select, update

from ..extensions import db
from ..models import RecoveryCode, User, utcnow

COUNT = 10
_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no l/1 or o/0 to misread


def _hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def normalise(raw: str | None) -> str:
    return "".join(ch for ch in (raw or "").lower() if ch.isalnum())


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def regenerate(user: User) -> list[str]:
    """A fresh set of codes for the user (any earlier set stops working); the caller
    shows them once and commits."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_code() for _ in range(COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    return codes


def remaining(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def has_codes(user: User) -> bool:
    return remaining(user) > 0


def spend(user: User, raw: str) -> bool:
    """True, once, for one of the user's unused codes (the caller commits)."""
    if len(normalise(raw)) != 10:
        return False
    spent = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(raw),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return spent.rowcount == 1


def remove_all(user: User) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
