"""Logging in and changing one's own password.

Every refusal is the same :class:`LoginRefused` with the same Spanish message, whether the
account does not exist, the password is wrong, the account is disabled or locked, and the
password is checked with argon2 in every case (against a dummy hash when there is no
account), so neither the message nor the time tells whether a username exists. After
:data:`MAX_FAILURES` failures in a row the account is locked for :data:`LOCK_MINUTES`
minutes, even for the right password. A hash made with older parameters is redone at a
successful login.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import Connection, Engine, text

from geo.accounts.passwords import check_policy, default_hasher, hash_password, matches, needs_rehash
from geo.accounts.users import Account, normalise_username, require_account
from geo.db import transaction
from geo.errors import DataError
from geo.store import accounts as store
from geo.store.actor import Actor

log = logging.getLogger(__name__)

MAX_FAILURES = 5
LOCK_MINUTES = 15

REFUSED = (
    "Usuario o contraseña incorrectos, o la cuenta no está disponible. Tras "
    f"{MAX_FAILURES} intentos fallidos la cuenta se bloquea por {LOCK_MINUTES} minutos."
)


class LoginRefused(DataError):
    """The login was refused; the message never says why (see the module's docstring).

    ``reason`` ("unknown", "password", "disabled", "locked") is for logs and tests only:
    never show it to the person.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(REFUSED)
        self.reason = reason


def authenticate(
    bind: Engine | Connection,
    username: str,
    password: str,
    *,
    now: datetime | None = None,
    hasher: PasswordHasher | None = None,
) -> Account:
    """The account whose password this is, or :class:`LoginRefused`.

    Args:
        bind: an Engine or a Connection.
        username: as typed (any case, surrounding spaces ignored).
        password: as typed.
        now: the clock (tests pass a later time instead of waiting out a lock).
        hasher: the parameters of today's hashes (argon2-cffi's recommended by default).
    """
    h = hasher or default_hasher()
    at = now or datetime.now(UTC)
    with_hash = _hash_of(bind, username)
    account, password_hash = with_hash if with_hash else (None, None)
    ok = matches(password_hash, password, h)  # always one argon2 check, whoever asks
    if account is None:
        log.info("login refused: no such account")
        raise LoginRefused("unknown")
    if not account.active:
        log.info("login refused: account %s is disabled", account.id)
        raise LoginRefused("disabled")
    if account.is_locked(at):
        log.info("login refused: account %s is locked until %s", account.id, account.locked_until)
        raise LoginRefused("locked")
    if not ok:
        locked = store.record_login(
            bind,
            account.id,
            account.username,
            ok=False,
            now=at,
            max_failures=MAX_FAILURES,
            lock_until=at + timedelta(minutes=LOCK_MINUTES),
        )
        log.info(
            "login refused: wrong password for account %s%s", account.id, " (now locked)" if locked else ""
        )
        raise LoginRefused("password")
    assert password_hash is not None
    new_hash = hash_password(password, h) if needs_rehash(password_hash, h) else None
    store.record_login(
        bind,
        account.id,
        account.username,
        ok=True,
        now=at,
        max_failures=MAX_FAILURES,
        lock_until=at,
        new_hash=new_hash,
    )
    log.info("account %s logged in%s", account.id, " (hash redone)" if new_hash else "")
    return require_account(bind, account.username)


def _hash_of(bind: Engine | Connection, username: str) -> tuple[Account, str | None] | None:
    """The account named ``username`` and its password hash, or None."""
    with transaction(bind) as conn:
        row = conn.execute(
            text(f"SELECT {store.PUBLIC_COLUMNS}, password_hash FROM app_user WHERE username = :u"),
            {"u": normalise_username(username)},
        ).one_or_none()
    if row is None:
        return None
    fields = dict(row._mapping)
    password_hash = fields.pop("password_hash")
    return Account(**fields), password_hash


def change_own_password(
    bind: Engine | Connection,
    username: str,
    current_password: str,
    new_password: str,
    *,
    now: datetime | None = None,
    hasher: PasswordHasher | None = None,
) -> Account:
    """A person replaces their own password, proving the current one (a failure counts as a login's)."""
    account = authenticate(bind, username, current_password, now=now, hasher=hasher)
    check_policy(new_password, account.username)
    if current_password == new_password:
        raise DataError("La contraseña nueva debe ser distinta de la actual.")
    actor = Actor(account.username, "cambio de contraseña", account.id)
    store.store_password(bind, actor, account.id, hash_password(new_password, hasher), "cambiar_contrasena")
    return require_account(bind, account.username)
