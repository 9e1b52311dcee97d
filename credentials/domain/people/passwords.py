"""Password hashing (Argon2id, memory-hard) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 256

# Argon2id with the RFC 9106 "second recommended" memory (64 MiB). Tests use a cheap hasher of the same kind.
_STRONG = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4)
_CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

_COMMON = frozenset(
    {
        "password1234",
        "123456789012",
        "qwertyuiopas",
        "passwordpassword",
        "letmein12345",
        "iloveyou1234",
        "welcome12345",
        "teacher12345",
        "changeme1234",
        "administrator",
    }
)


class PasswordPolicy:
    """Checks a candidate password and hashes/verifies with the configured Argon2id cost."""

    def __init__(self, cheap: bool = False):
        self._hasher = _CHEAP if cheap else _STRONG
        self._dummy_hash: str | None = None

    def problem(self, password: str, *, email: str = "", name: str = "") -> str | None:
        """Why ``password`` is not acceptable, or None."""
        if len(password) < MIN_LENGTH:
            return f"Use at least {MIN_LENGTH} characters."
        if len(password) > MAX_LENGTH:
            return f"Use at most {MAX_LENGTH} characters."
        lowered = password.lower()
        if lowered in _COMMON or len(set(password)) < 4:
            return "That password is too easy to guess; choose another."
        if (email and lowered == email.lower()) or (name and lowered == name.lower()):
            return "Do not use your e-mail address or name as your password."
        return None

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """True if ``password`` matches; takes the same time when there is no hash to check."""
        if password_hash is None and self._dummy_hash is None:
            # Verified against when an account is unknown, so a miss costs as much time as a hit.
            self._dummy_hash = self._hasher.hash("microcred timing equaliser")
        try:
            return self._hasher.verify(password_hash or self._dummy_hash, password) and password_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)
