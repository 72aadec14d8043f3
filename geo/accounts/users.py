"""Accounts: create, list, reset a password, disable and enable (writes via :mod:`geo.store.accounts`).

Nobody gets a default password: an account is created with the password its person (or
the administrator) typed, checked by :func:`geo.accounts.passwords.check_policy`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from sqlalchemy import Connection, Engine, text

from geo.accounts.passwords import check_policy, hash_password
from geo.db import transaction
from geo.domain import ROLES
from geo.errors import DataError, ValidationError
from geo.store import accounts as store
from geo.store.actor import Actor

log = logging.getLogger(__name__)

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
_LABELS = {
    "username": "Nombre de usuario",
    "full_name": "Nombre completo",
    "role": "Rol",
    "unit": "Unidad",
    "password": "Contraseña",
}
MAX_NAME = 200


@dataclass(frozen=True)
class Account:
    """An account as shown to an administrator (never its password hash)."""

    id: int
    username: str
    full_name: str
    role: str
    unit: str | None
    active: bool
    failed_attempts: int
    locked_until: datetime | None
    password_changed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int

    @property
    def role_label(self) -> str:
        """The role's Spanish name."""
        return ROLES.get(self.role, self.role)

    def is_locked(self, now: datetime) -> bool:
        """Whether too many failed logins keep the account closed at ``now``."""
        return self.locked_until is not None and self.locked_until > now


def normalise_username(username: str) -> str:
    """The username as stored: trimmed, lower case."""
    return (username or "").strip().lower()


def _checked_username(username: str) -> str:
    name = normalise_username(username)
    if not _USERNAME.match(name):
        raise ValidationError(
            {
                "username": "use de 2 a 60 letras minúsculas sin tilde, números, punto, guion o "
                "guion bajo, comenzando con letra o número (p. ej. «mperez»)."
            },
            labels=_LABELS,
        )
    return name


def _checked_text(field: str, value: str | None, required: bool) -> str | None:
    clean = " ".join((value or "").split())
    if "\x00" in clean:
        raise ValidationError({field: "contiene un carácter nulo."}, labels=_LABELS)
    if len(clean) > MAX_NAME:
        raise ValidationError(
            {field: f"tiene {len(clean)} caracteres; el máximo es {MAX_NAME}."}, labels=_LABELS
        )
    if required and not clean:
        raise ValidationError({field: "es obligatorio."}, labels=_LABELS)
    return clean or None


def _checked_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationError({"role": f"«{role}» no es un rol; use {', '.join(ROLES)}."}, labels=_LABELS)
    return role


def create_user(
    bind: Engine | Connection,
    actor: Actor,
    username: str,
    full_name: str,
    role: str,
    password: str,
    unit: str | None = None,
    hasher: PasswordHasher | None = None,
) -> Account:
    """Create an active account with the password given (checked against the policy)."""
    name = _checked_username(username)
    full = _checked_text("full_name", full_name, required=True)
    checked_role, checked_unit = _checked_role(role), _checked_text("unit", unit, required=False)
    check_policy(password, name)
    assert full is not None
    new = store.NewAccount(name, full, checked_role, checked_unit, hash_password(password, hasher))
    with transaction(bind) as conn:
        user_id = store.insert_account(conn, actor, new)
        account = _account_by(conn, "id = :v", user_id)
    assert account is not None
    log.info("account %s (%s) created by %s", account.id, account.username, actor.describe())
    return account


def find_account(bind: Engine | Connection, username: str) -> Account | None:
    """The account named ``username`` (any case), or None."""
    with transaction(bind) as conn:
        return _account_by(conn, "username = :v", normalise_username(username))


def _account_by(conn: Connection, where: str, value: object) -> Account | None:
    row = conn.execute(
        text(f"SELECT {store.PUBLIC_COLUMNS} FROM app_user WHERE {where}"), {"v": value}
    ).one_or_none()
    return None if row is None else Account(**row._mapping)


def require_account(bind: Engine | Connection, username: str) -> Account:
    """The account named ``username``; a Spanish :class:`DataError` when there is none.

    For administrators only: the login never says whether an account exists.
    """
    account = find_account(bind, username)
    if account is None:
        raise DataError(f"No existe la cuenta «{normalise_username(username)}». Vea «sit user list».")
    return account


def list_accounts(bind: Engine | Connection) -> list[Account]:
    """Every account, by username."""
    with transaction(bind) as conn:
        rows = conn.execute(text(f"SELECT {store.PUBLIC_COLUMNS} FROM app_user ORDER BY username")).all()
    return [Account(**r._mapping) for r in rows]


def count_active_administrators(bind: Engine | Connection) -> int:
    """How many active administrator accounts there are (none: the first one must be created)."""
    with transaction(bind) as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM app_user WHERE role = 'administrador' AND active")
            ).scalar_one()
        )


def reset_password(
    bind: Engine | Connection,
    actor: Actor,
    username: str,
    new_password: str,
    expected_version: int | None = None,
    hasher: PasswordHasher | None = None,
) -> Account:
    """An administrator sets a new password on someone's account (and clears any lock)."""
    account = require_account(bind, username)
    check_policy(new_password, account.username)
    store.store_password(
        bind,
        actor,
        account.id,
        hash_password(new_password, hasher),
        "restablecer_contrasena",
        expected_version,
    )
    return require_account(bind, account.username)


def set_active(
    bind: Engine | Connection, actor: Actor, username: str, active: bool, expected_version: int | None = None
) -> bool:
    """Enable or disable an account; False when it already was so. A disabled account cannot log in."""
    account = require_account(bind, username)
    return store.store_active(bind, actor, account.id, active, expected_version) is not None
