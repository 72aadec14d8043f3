"""Passwords: the policy a new one must meet, the argon2id hasher, and the dummy hash.

Hashes are argon2id with argon2-cffi's recommended parameters
(:class:`argon2.PasswordHasher` defaults); a hash made with other parameters is redone at
the next successful login (:func:`needs_rehash`). Nothing here logs or returns a password.
"""

from __future__ import annotations

import logging
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from geo.errors import ValidationError

log = logging.getLogger(__name__)

MIN_LENGTH = 10
MAX_LENGTH = 256


@cache
def default_hasher() -> PasswordHasher:
    """The hasher of new passwords (argon2id, the library's recommended parameters)."""
    return PasswordHasher()


def check_policy(password: str, username: str | None = None) -> None:
    """Refuse, in Spanish, a password that is too short, too long, or the username itself."""
    problem = None
    if len(password) < MIN_LENGTH:
        problem = f"debe tener al menos {MIN_LENGTH} caracteres."
    elif len(password) > MAX_LENGTH:
        problem = f"puede tener a lo más {MAX_LENGTH} caracteres."
    elif "\x00" in password or not password.strip():
        problem = "no puede estar en blanco ni contener caracteres nulos."
    elif username and password.strip().lower() == username.strip().lower():
        problem = "no puede ser igual al nombre de usuario."
    if problem:
        raise ValidationError({"password": problem}, labels={"password": "Contraseña"})


def hash_password(password: str, hasher: PasswordHasher | None = None) -> str:
    """The argon2id hash of ``password``."""
    return (hasher or default_hasher()).hash(password)


def matches(password_hash: str | None, password: str, hasher: PasswordHasher | None = None) -> bool:
    """Whether ``password`` matches ``password_hash``; a missing hash costs the same and fails."""
    h = hasher or default_hasher()
    try:
        return h.verify(password_hash or dummy_hash(h), password) and password_hash is not None
    except VerifyMismatchError:
        return False
    except (InvalidHashError, VerificationError):
        log.warning("an account's password hash could not be read; refusing the login", exc_info=True)
        return False


def needs_rehash(password_hash: str, hasher: PasswordHasher | None = None) -> bool:
    """Whether the hash was made with other parameters than ``hasher``'s."""
    try:
        return (hasher or default_hasher()).check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of a random secret, made with ``hasher``'s parameters.

    Checked in place of an account that does not exist (or has no password), so an
    unknown username costs as long as a wrong password.
    """
    return _dummy(hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len, hasher.salt_len)


@cache
def _dummy(time_cost: int, memory_cost: int, parallelism: int, hash_len: int, salt_len: int) -> str:
    hasher = PasswordHasher(time_cost, memory_cost, parallelism, hash_len, salt_len)
    return hasher.hash(secrets.token_urlsafe(32))
