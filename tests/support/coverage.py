"""A small hand-computed world for the population and coverage tests (inside ``conn``).

Two square UVs side by side (A west, B east, 1 km x 1 km each, EPSG:32719), one urban zone
with two blocks (block A 100 x 100 m inside A, block B 100 x 300 m inside B: 1 : 3), and
one census district covering both UVs, minus the zone (a strip symmetric about the A|B
border, so the rural remainder is split half and half).

Census: the zone has 100 persons in each age group (400); the district's rural localities
have 20 persons aged 15 a 64. Expected estimate: A = 100 + 10 = 110, B = 300 + 10 = 310.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

X0, Y0 = 230_000, 6_838_000
DISTRICT = "0330101"
ZONE = "03301011001"


def _box(x1: float, y1: float, x2: float, y2: float) -> str:
    return f"ST_Multi(ST_Transform(ST_MakeEnvelope({X0 + x1}, {Y0 + y1}, {X0 + x2}, {Y0 + y2}, 32719), 4326))"


def small_world(conn: Connection) -> dict[str, int]:
    """Replace territories, census, facilities and initiatives by the small world."""
    for table in ("initiative", "territory", "census_area", "census_population", "facility"):
        conn.execute(text(f"DELETE FROM {table}"))
    ids = {}
    for code, box in (("A", (0, 0, 1000, 1000)), ("B", (1000, 0, 2000, 1000))):
        ids[code] = conn.execute(
            text(
                f"INSERT INTO territory (kind, code, name, sector, source, geom) "
                f"VALUES ('unidad_vecinal', :c, :n, 'urbano', 'prueba', {_box(*box)}) RETURNING id"
            ),
            {"c": code, "n": f"Unidad {code}"},
        ).scalar_one()
    ids["sitio"] = conn.execute(
        text(
            "INSERT INTO territory (kind, code, name, source) VALUES ('sitio', 'S', 'Sitio sin ubicar', "
            "'prueba') RETURNING id"
        )
    ).scalar_one()
    areas = [
        ("distrito", DISTRICT, None, None, (0, 0, 2000, 1000)),
        ("zona", ZONE, "01", "001", (900, 0, 1100, 1000)),  # symmetric strip about x = 1000
        ("manzana", "M-A", "01", "001", (100, 400, 200, 500)),
        ("manzana", "M-B", "01", "001", (1500, 300, 1600, 600)),
    ]
    for kind, code, d, z, box in areas:
        conn.execute(
            text(
                f"INSERT INTO census_area (kind, code, district_code, zone_code, source, geom) "
                f"VALUES (:k, :c, :d, :z, 'prueba', {_box(*box)})"
            ),
            {"k": kind, "c": code, "d": d or "01", "z": z},
        )
    for age in ("0 a 5", "6 a 14", "15 a 64", "65 y mas"):
        conn.execute(
            text("INSERT INTO census_population VALUES (:g, :a, 100, 'prueba')"), {"g": ZONE, "a": age}
        )
    conn.execute(text("INSERT INTO census_population VALUES ('03301012004', '15 a 64', 20, 'prueba')"))
    return ids


def add_facility(
    conn: Connection, kind: str, code: str, x: float, y: float, in_operation: bool = True
) -> None:
    """A school or health establishment at (x, y) metres from the world's origin."""
    conn.execute(
        text(
            "INSERT INTO facility (kind, code, name, in_operation, source, geom) VALUES "
            "(:k, :c, :n, :op, 'prueba', ST_Transform(ST_SetSRID(ST_MakePoint(:x, :y), 32719), 4326))"
        ),
        {"k": kind, "c": code, "n": f"Establecimiento {code}", "op": in_operation, "x": X0 + x, "y": Y0 + y},
    )


def add_line(
    conn: Connection,
    initiative_id: int,
    amount: int | None,
    source: str | None = None,
    year: int | None = None,
    stage: str = "aprobado",
    detail: str | None = None,
) -> None:
    """One funding line of an initiative (written directly: a fixture, not a person's edit)."""
    conn.execute(
        text(
            "INSERT INTO funding_line (initiative_id, source, source_detail, year, amount_clp, stage) "
            "VALUES (:i, :s, :d, :y, :a, :st)"
        ),
        {"i": initiative_id, "s": source, "d": detail, "y": year, "a": amount, "st": stage},
    )


def add_initiative(
    conn: Connection,
    code: str,
    strategy: str,
    amount: int | None,
    scope: str = "localizada",
    status: str = "sin_informacion",
    links: dict[int, float | None] | None = None,
) -> int:
    """An initiative of ``strategy`` linked to territory ids with the given weights.

    A known ``amount`` is its one funding line (no source, no year, approved).
    """
    iid = conn.execute(
        text(
            "INSERT INTO initiative (code, name, kind, strategy_id, status, scope) "
            "SELECT :c, :n, 'proyecto', id, :st, :sc FROM strategy WHERE code = :s RETURNING id"
        ),
        {"c": code, "n": f"Iniciativa {code}", "s": strategy, "st": status, "sc": scope},
    ).scalar_one()
    if amount is not None:
        add_line(conn, iid, amount)
    for tid, w in (links or {}).items():
        conn.execute(
            text(
                "INSERT INTO initiative_territory (initiative_id, territory_id, link_method, weight) "
                "VALUES (:i, :t, 'manual', :w)"
            ),
            {"i": iid, "t": tid, "w": w},
        )
    return iid
