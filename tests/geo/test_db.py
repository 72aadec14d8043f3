"""Helpers of geo.db that coverage relies on, against the real database."""

from sqlalchemy import text

from geo.db import fetch_tuples, local_settings


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
