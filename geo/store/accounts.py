"""Writes to accounts (``app_user``): creation, password, active flag, login bookkeeping.

The rules of the one write path hold: an :class:`~geo.store.actor.Actor`, the row's
``version`` checked when the caller says which one it saw, and one ``audit_log`` row per
change. The audit never holds a password or a hash: a password change is recorded as
``details.password = "cambiada"`` with its date. Login bookkeeping (failed attempts, the
lock, a rehash on login) does not bump the version, so a login never makes an
administrator's edit of the same account a conflict; failures and locks are audited.

Roles (:mod:`geo.store.permissions`): creating an account, resetting someone's password and
enabling or disabling an account need ``accounts``; a person may replace only their own
password (the actor's account is the one changed). Login bookkeeping (:func:`record_login`)
checks no role: it runs before anyone is logged in, on behalf of whoever types a username,
and touches only the attempt counter, the lock and a rehash of the password just proven.

Password rules and hashing live in :mod:`geo.accounts`; this module receives hashes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import IntegrityError

from geo.db import transaction
from geo.errors import DataError
from geo.store import audit
from geo.store.actor import Actor
from geo.store.permissions import require

log = logging.getLogger(__name__)

#: The columns an account shows (never the hash).
PUBLIC_COLUMNS = (
    "id, username, full_name, role, unit, active, failed_attempts, locked_until, "
    "password_changed_at, created_at, updated_at, version"
)


@dataclass(frozen=True)
class NewAccount:
    """What a new account is made of (the password already hashed)."""

    username: str
    full_name: str
    role: str
    unit: str | None
    password_hash: str


def insert_account(bind: Engine | Connection, actor: Actor, account: NewAccount) -> int:
    """Create the account and audit it; a taken username is a Spanish :class:`DataError`."""
    require(actor, "accounts")
    with transaction(bind) as conn:
        try:
            with conn.begin_nested():
                user_id = conn.execute(
                    text(
                        """
                        INSERT INTO app_user (username, full_name, role, unit, password_hash,
                                              password_changed_at)
                        VALUES (:username, :full_name, :role, :unit, :password_hash, now())
                        RETURNING id
                        """
                    ),
                    {
                        "username": account.username,
                        "full_name": account.full_name,
                        "role": account.role,
                        "unit": account.unit,
                        "password_hash": account.password_hash,
                    },
                ).scalar_one()
        except IntegrityError as exc:
            log.info("username %s already taken", account.username, exc_info=True)
            raise DataError(
                f"Ya existe una cuenta con el nombre de usuario «{account.username}»; elija otro."
            ) from exc
        changes = {
            "username": [None, account.username],
            "full_name": [None, account.full_name],
            "role": [None, account.role],
            "unit": [None, account.unit],
            "active": [None, True],
        }
        audit.record(
            conn,
            actor,
            [
                audit.Entry(
                    "crear_usuario",
                    "app_user",
                    user_id,
                    {"version": 1, "changes": changes, "password": "establecida"},
                )
            ],
        )
    return int(user_id)


def account_for_update(conn: Connection, user_id: int, expected_version: int | None) -> Any:
    """Lock the account's row and check the version the caller saw."""
    row = conn.execute(
        text(f"SELECT {PUBLIC_COLUMNS} FROM app_user WHERE id = :i FOR UPDATE"), {"i": user_id}
    ).one_or_none()
    if row is None:
        raise DataError("La cuenta ya no existe.")
    if expected_version is not None and row.version != expected_version:
        raise audit.conflict_error(
            conn, "app_user", user_id, expected_version, row.version, f"la cuenta «{row.username}»"
        )
    return row


def store_password(
    bind: Engine | Connection,
    actor: Actor,
    user_id: int,
    password_hash: str,
    action: str,
    expected_version: int | None = None,
) -> int:
    """Replace the account's password hash (and clear its lock); return the new version.

    ``action`` is ``cambiar_contrasena`` (the person's own change) or
    ``restablecer_contrasena`` (an administrator's reset). A person changes their own
    password whatever their role; anyone else's needs ``accounts``.
    """
    if actor.user_id is None or actor.user_id != user_id:
        require(actor, "accounts")
    with transaction(bind) as conn:
        row = account_for_update(conn, user_id, expected_version)
        version = _update(
            conn,
            actor,
            user_id,
            "password_hash = :h, password_changed_at = now(), failed_attempts = 0, locked_until = NULL",
            {"h": password_hash},
            audit.Entry(action, "app_user", user_id, {"changes": {}, "password": "cambiada"}),
        )
        log.info("password of account %s (%s) replaced by %s", user_id, row.username, actor.describe())
    return int(version)


def store_active(
    bind: Engine | Connection, actor: Actor, user_id: int, active: bool, expected_version: int | None = None
) -> int | None:
    """Enable or disable the account; None when it already was. Never the last administrator."""
    require(actor, "accounts")
    with transaction(bind) as conn:
        row = account_for_update(conn, user_id, expected_version)
        if row.active == active:
            return None
        if not active and row.role == "administrador":
            others = conn.execute(
                text("SELECT count(*) FROM app_user WHERE role = 'administrador' AND active AND id <> :i"),
                {"i": user_id},
            ).scalar_one()
            if not others:
                raise DataError(
                    f"«{row.username}» es el único administrador activo; cree o active otro "
                    "antes de desactivarlo."
                )
        version = _update(
            conn,
            actor,
            user_id,
            "active = :a, failed_attempts = 0, locked_until = NULL",
            {"a": active},
            audit.Entry(
                "activar_usuario" if active else "desactivar_usuario",
                "app_user",
                user_id,
                {"changes": {"active": [row.active, active]}},
            ),
        )
    return int(version)


def _update(
    conn: Connection, actor: Actor, user_id: int, assignments: str, params: dict[str, Any], entry: audit.Entry
) -> int:
    """Apply ``assignments`` to the locked account, bump its version, audit ``entry`` with it."""
    version = conn.execute(
        text(
            f"UPDATE app_user SET {assignments}, updated_at = now(), version = version + 1 "
            "WHERE id = :user_id RETURNING version"
        ),
        {**params, "user_id": user_id},
    ).scalar_one()
    details = {"version": version, **entry.details}
    audit.record(conn, actor, [audit.Entry(entry.action, entry.table, entry.row_id, details)])
    return int(version)


def record_login(
    bind: Engine | Connection,
    user_id: int,
    username: str,
    *,
    ok: bool,
    now: datetime,
    max_failures: int,
    lock_until: datetime,
    new_hash: str | None = None,
) -> bool:
    """Count a login attempt on an account; True when this failure locked it.

    A success clears the count and the lock (and stores ``new_hash`` when the hash was
    redone with today's parameters); the ``max_failures``-th failure in a row locks the
    account until ``lock_until`` and starts the count again. One statement, so two
    attempts at once cannot both miss the lock. No role is checked (see the module's
    docstring): the login itself must be able to count a failure.
    """
    actor = Actor(username, "inicio de sesión", user_id)
    with transaction(bind) as conn:
        if ok:
            conn.execute(
                text(
                    """
                    UPDATE app_user SET failed_attempts = 0, locked_until = NULL,
                           password_hash = COALESCE(:h, password_hash)
                     WHERE id = :i
                    """
                ),
                {"h": new_hash, "i": user_id},
            )
            details: dict[str, Any] = {"rehash": True} if new_hash else {}
            audit.record(conn, actor, [audit.Entry("inicio_sesion", "app_user", user_id, details)])
            return False
        locked = conn.execute(
            text(
                """
                UPDATE app_user
                   SET failed_attempts = CASE WHEN failed_attempts + 1 >= :max THEN 0
                                              ELSE failed_attempts + 1 END,
                       locked_until = CASE WHEN failed_attempts + 1 >= :max THEN :until
                                           ELSE locked_until END
                 WHERE id = :i
                RETURNING locked_until IS NOT NULL AND locked_until > :now
                """
            ),
            {"max": max_failures, "until": lock_until, "now": now, "i": user_id},
        ).scalar_one()
        action = "cuenta_bloqueada" if locked else "inicio_sesion_fallido"
        details = {"hasta": lock_until.isoformat()} if locked else {}
        audit.record(conn, actor, [audit.Entry(action, "app_user", user_id, details)])
    return bool(locked)
