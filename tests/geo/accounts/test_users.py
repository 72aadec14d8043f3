"""Creating and listing accounts: the password policy, the username rules, duplicates."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from geo.accounts.users import create_user, list_accounts
from geo.errors import DataError, ValidationError
from tests.support.actors import TESTER

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def test_a_new_account_is_stored_with_an_argon2id_hash_and_audited_without_it(conn):
    account = create_user(
        conn, TESTER, "mperez", "María  Pérez", "concejo", "una clave larga", "Concejo", FAST
    )
    row = conn.execute(text("SELECT * FROM app_user WHERE id = :i"), {"i": account.id}).mappings().one()
    assert row["password_hash"].startswith("$argon2id$") and row["full_name"] == "María Pérez"
    assert row["password_changed_at"] is not None and row["version"] == 1
    details = conn.execute(
        text("SELECT details FROM audit_log WHERE action = 'crear_usuario' AND row_id = :r"),
        {"r": str(account.id)},
    ).scalar_one()
    assert details["changes"]["role"] == [None, "concejo"] and details["password"] == "establecida"
    assert [a.username for a in list_accounts(conn)] == ["mperez"]
    assert not hasattr(list_accounts(conn)[0], "password_hash")


@pytest.mark.parametrize(
    ("username", "name", "role", "password", "field"),
    [
        ("ana", "Ana", "secplac", "corta", "password"),
        ("ana", "Ana", "secplac", "ana", "password"),
        ("ana", "Ana", "secplac", "          ", "password"),
        ("ana", "Ana", "jefe", "una clave larga", "role"),
        ("a", "Ana", "secplac", "una clave larga", "username"),
        ("ana pérez", "Ana", "secplac", "una clave larga", "username"),
        ("ana", "  ", "secplac", "una clave larga", "full_name"),
        ("ana", "A" * 201, "secplac", "una clave larga", "full_name"),
        ("ana", "Ana\x00", "secplac", "una clave larga", "full_name"),
    ],
)
def test_bad_input_is_refused_in_spanish_and_creates_nothing(conn, username, name, role, password, field):
    with pytest.raises(ValidationError) as exc:
        create_user(conn, TESTER, username, name, role, password, hasher=FAST)
    assert list(exc.value.errors) == [field]
    assert list_accounts(conn) == []


def test_a_taken_username_is_refused_in_spanish(conn):
    create_user(conn, TESTER, "ana", "Ana Pérez", "secplac", "una clave larga", hasher=FAST)
    with pytest.raises(DataError, match="Ya existe una cuenta con el nombre de usuario «ana»"):
        create_user(conn, TESTER, "ANA", "Otra Ana", "concejo", "otra clave larga", hasher=FAST)
    assert [a.full_name for a in list_accounts(conn)] == ["Ana Pérez"]
