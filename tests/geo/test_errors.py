"""PostgreSQL's English refusals become Spanish messages naming the field and the value."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from geo.errors import database_refusal


def refusal(conn, sql: str) -> str:
    with pytest.raises(IntegrityError) as err, conn.begin_nested():
        conn.execute(text(sql))
    return database_refusal(err.value)


def test_a_duplicate_key_names_the_field_and_the_value_in_spanish(conn):
    codes = conn.execute(text("SELECT code FROM initiative ORDER BY id LIMIT 2")).scalars().all()
    message = refusal(conn, f"UPDATE initiative SET code = '{codes[0]}' WHERE code = '{codes[1]}'")
    assert message == f"ya existe un registro con Código «{codes[0]}» (regla initiative_code_key)."
    assert "duplicate" not in message and "Key" not in message


def test_a_check_rule_is_named_without_postgresql_english(conn):
    message = refusal(
        conn,
        "UPDATE initiative SET start_year = 2030, end_year = 2020 "
        "WHERE id = (SELECT min(id) FROM initiative)",
    )
    assert message == "un valor no cumple la regla «initiative_check» de la base de datos."
