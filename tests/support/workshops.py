"""Look-ups the workshop tests share: territories, strategies, a point inside a territory."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, create_engine, text


def territory_id(conn: Connection, code: str, kind: str = "unidad_vecinal") -> int:
    """The id of the territory of ``kind`` and ``code`` (a UV by default: «05»)."""
    return conn.execute(
        text("SELECT id FROM territory WHERE kind = :k AND code = :c"), {"k": kind, "c": code}
    ).scalar_one()


def strategy_id(conn: Connection, code: str) -> int:
    """The id of strategy ``code`` («E1»)."""
    return conn.execute(text("SELECT id FROM strategy WHERE code = :c"), {"c": code}).scalar_one()


def point_in(conn: Connection, code: str, kind: str = "unidad_vecinal") -> bytes:
    """A point inside the territory (its ``ST_PointOnSurface``), as WKB."""
    return bytes(
        conn.execute(
            text("SELECT ST_AsBinary(ST_PointOnSurface(geom)) FROM territory WHERE kind = :k AND code = :c"),
            {"k": kind, "c": code},
        ).scalar_one()
    )


def query(url: str, sql: str, **params: Any) -> list[Any]:
    """The rows of ``sql`` on the database at ``url`` (what a committed test wrote)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params).all())
    finally:
        engine.dispose()
