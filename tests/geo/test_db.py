"""Helpers of geo.db that coverage relies on, against the real database."""

import time

import pytest
from sqlalchemy import text

from geo.cli import common
from geo.db import fetch_tuples, get_engine, local_settings
from geo.errors import DataError
from geo.settings import get_settings
from tests.conftest import database_url_for_tests


def test_local_settings_last_for_the_block_only(conn):
    def jit():
        return conn.execute(text("SHOW jit")).scalar()

    conn.execute(text("SET LOCAL jit = on"))
    with local_settings(conn, jit="off", work_mem="8MB"):
        assert jit() == "off" and conn.execute(text("SHOW work_mem")).scalar() == "8MB"
    assert jit() == "on"


def test_fetch_tuples_are_the_rows_as_plain_values(conn):
    rows = fetch_tuples(
        conn, "SELECT CAST(:a AS int), 'x', NULL::float8, true UNION ALL SELECT 2, 'y', 0.5, false", {"a": 1}
    )
    assert rows == [(1, "x", None, True), (2, "y", 0.5, False)]
    assert all(type(r) is tuple for r in rows)
    assert fetch_tuples(conn, "SELECT 1 WHERE false") == []


def test_a_statement_over_the_timeout_is_cancelled_with_a_spanish_message():
    engine = get_engine(database_url_for_tests(), statement_timeout_ms=300)
    started = time.perf_counter()
    with pytest.raises(DataError, match=r"canceló la operación porque tardó más de 0,3 s"):
        with engine.connect() as c:
            c.execute(text("SELECT pg_sleep(20)"))
    assert time.perf_counter() - started < 10
    with engine.connect() as c:  # the pool still serves working connections
        assert c.execute(text("SELECT 1")).scalar() == 1


def test_app_and_cli_engines_carry_the_timeout_and_admin_loads_do_not(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url_for_tests())
    monkeypatch.setenv("SIT_STATEMENT_TIMEOUT_MS", "1500")
    get_settings.cache_clear()
    try:
        with common.engine().connect() as c:
            assert c.execute(text("SHOW statement_timeout")).scalar() == "1500ms"
            assert c.execute(text("SHOW jit")).scalar() == "off"  # compiling cost more than it saved
        with common.admin_engine().connect() as c:
            assert c.execute(text("SHOW statement_timeout")).scalar() == "0"
            assert c.execute(text("SHOW jit")).scalar() == "off"
    finally:
        get_settings.cache_clear()
