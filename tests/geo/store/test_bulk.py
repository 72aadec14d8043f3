"""The batch table of the write path gives back exactly what was sent, in order; the GC pause ends."""

import gc
from decimal import Decimal

import pytest
from shapely.geometry import Point
from sqlalchemy import text

from geo.store.bulk import gc_paused, rows_table

TRICKY = [
    'Plaza "La Feria" \\ Baquedano',
    "línea 1\nlínea 2\ttab",
    "{llaves}, [corchetes], 'comillas', NULL",
    "Ñandú 🌵 — Río Huasco",
    "",
]


def test_text_numbers_bytes_and_nulls_come_back_unchanged(conn):
    wkb = Point(-70.758, -28.578).wkb
    rows = [
        {"s": t, "i": n, "b": n % 2 == 0, "w": Decimal("0.3333333333333333333"), "g": wkb}
        for n, t in enumerate(TRICKY, start=1)
    ]
    rows.append({"s": None, "i": None, "b": None, "w": None, "g": None})
    types = {"s": "text", "i": "bigint", "b": "boolean", "w": "numeric", "g": "bytea"}
    source, params = rows_table(types, rows)
    got = conn.execute(
        text(
            "SELECT v.s, v.i, v.b, v.w, ST_AsText(ST_GeomFromWKB(v.g)) AS g, v.ord "
            f"FROM {source} ORDER BY v.ord"
        ),
        params,
    ).all()
    assert [r.s for r in got] == [*TRICKY, None]
    assert [r.i for r in got] == [1, 2, 3, 4, 5, None]
    assert [r.b for r in got] == [False, True, False, True, False, None]
    assert got[0].w == Decimal("0.3333333333333333333") and got[-1].w is None
    assert got[0].g == "POINT(-70.758 -28.578)" and got[-1].g is None
    assert [r.ord for r in got] == [1, 2, 3, 4, 5, 6]


def test_an_empty_batch_is_an_empty_table(conn):
    source, params = rows_table({"t": "text"}, [])
    assert conn.execute(text(f"SELECT count(*) FROM {source}"), params).scalar_one() == 0


def test_gc_paused_resumes_the_collector_even_after_an_error():
    assert gc.isenabled()
    with pytest.raises(ValueError):
        with gc_paused():
            assert not gc.isenabled()
            with gc_paused():  # nested: the inner pause leaves it off
                pass
            assert not gc.isenabled()
            raise ValueError("a refused batch")
    assert gc.isenabled()


def test_gc_paused_leaves_a_collector_turned_off_elsewhere_off():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
