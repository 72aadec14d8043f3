"""Access to services: population-weighted distance to the nearest school and health post."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

import pandas as pd
from sqlalchemy import Connection, text

from geo.db import fetch_tuples, local_settings
from geo.territory.population import PIECES_CTE, UNIT_WEIGHTS_SQL, UnitWeights, unit_weights_from_rows

log = logging.getLogger(__name__)

#: Distance (m, geography) from point ``p`` (EPSG:4326) to the nearest facility of ``kind``
#: in operation: the GiST index proposes the 5 nearest in degrees, geography measures them.
_NEAREST = """(SELECT min(ST_Distance(c.geom::geography, {p}::geography)) FROM (
                SELECT f.geom FROM facility f
                 WHERE f.kind = '{kind}' AND f.in_operation AND f.geom IS NOT NULL
                 ORDER BY f.geom <-> {p} LIMIT 5) c)"""


#: A hash of every row of every table :func:`access_and_unit_weights` reads. Any write to
#: them (through geo/store, a loader or plain SQL, committed or not yet) changes a row's
#: text, so a remembered result is never stale and nothing has to invalidate it.
_INPUTS_SQL = """
SELECT md5(concat_ws('|',
    (SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM territory t),
    (SELECT md5(string_agg(f::text, '|' ORDER BY f.id)) FROM facility f),
    (SELECT md5(string_agg(c::text, '|' ORDER BY c.id)) FROM census_area c),
    (SELECT md5(string_agg(p::text, '|' ORDER BY p.geocode, p.age_group))
       FROM census_population p)))
"""
_REMEMBERED: OrderedDict[str, tuple[pd.DataFrame, UnitWeights]] = OrderedDict()
_REMEMBERED_MAX = 4
_LOCK = threading.Lock()


def remembered_access_and_unit_weights(conn: Connection) -> tuple[pd.DataFrame, UnitWeights]:
    """:func:`access_and_unit_weights`, computed once per content of the tables it reads.

    Both depend on territories, facilities and the census, never on the filters, and the
    page computes coverage again for every filter set: at national scale the query takes
    ~0.9 s, the hash of its inputs ~60 ms. Kept in the process (the last few contents);
    callers get copies.
    """
    key = access_inputs_key(conn)
    hit = recall_access(key)
    if hit is None:
        hit = remember_access(key, access_and_unit_weights(conn))
    return hit


def access_inputs_key(conn: Connection) -> str:
    """The key under which :func:`remember_access` keeps the current tables' result."""
    return str(conn.execute(text(_INPUTS_SQL)).scalar_one())


def recall_access(key: str) -> tuple[pd.DataFrame, UnitWeights] | None:
    """A copy of the result remembered under ``key``, or None."""
    with _LOCK:
        hit = _REMEMBERED.get(key)
        if hit is None:
            return None
        _REMEMBERED.move_to_end(key)
    return _copy(hit)


def remember_access(key: str, result: tuple[pd.DataFrame, UnitWeights]) -> tuple[pd.DataFrame, UnitWeights]:
    """Keep ``result`` (of :func:`access_and_unit_weights`) under ``key``; return a copy."""
    with _LOCK:
        _REMEMBERED[key] = result
        _REMEMBERED.move_to_end(key)
        while len(_REMEMBERED) > _REMEMBERED_MAX:
            _REMEMBERED.popitem(last=False)
    return _copy(result)


def _copy(hit: tuple[pd.DataFrame, UnitWeights]) -> tuple[pd.DataFrame, UnitWeights]:
    access, weights = hit
    return access.copy(), {unit: dict(w) for unit, w in weights.items()}


def forget_access() -> None:
    """Drop the remembered results (benchmarks time the computation itself)."""
    with _LOCK:
        _REMEMBERED.clear()


def access_to_services(conn: Connection) -> pd.DataFrame:
    """Population-weighted distance (m) to the nearest health/school in operation; count inside.

    See :func:`access_and_unit_weights`.
    """
    return access_and_unit_weights(conn)[0]


def access_and_unit_weights(conn: Connection) -> tuple[pd.DataFrame, UnitWeights]:
    """Access to services, and the census unit weights of the population estimate.

    Both intersect every census piece with the UVs (:data:`PIECES_CTE`), the costliest step
    of each: one statement does it once for both. The weights are
    :func:`geo.territory.population.unit_weights`, the same query on the same pieces.

    Access: population-weighted distance (m) to the nearest health/school in operation; count inside.

    UVs: every census piece inside the UV (block, or rural district remainder sampled with
    20 seeded points) weighs by the people the estimate puts there. Localities, and UVs
    without census pieces, use their own point on surface (a village's location).
    A point locality counts the facilities within 1 km of it as "inside". Distances are
    measured on the geography (metres), so the query also works outside UTM zone 19.
    """
    health_p = _NEAREST.format(p="p.pt", kind="salud")
    school_p = _NEAREST.format(p="p.pt", kind="escuela")
    health_t = _NEAREST.format(p="t.pos", kind="salud")
    school_t = _NEAREST.format(p="t.pos", kind="escuela")
    # At national scale the planner's cost estimate (one KNN subquery per point) is high
    # enough to trigger JIT compilation, which took longer than the query itself (1.3 of
    # 2.7 s): off for this statement only.
    with local_settings(conn, jit="off"):
        rows = fetch_tuples(
            conn,
            f"""
        WITH {PIECES_CTE},
        census AS MATERIALIZED (
            SELECT CASE WHEN substr(geocode, 8, 1) = '1' THEN geocode
                        ELSE 'R' || substr(geocode, 1, 7) END AS unit, sum(persons) AS persons
              FROM census_population GROUP BY 1),
        pts AS MATERIALIZED (
            SELECT ov.tid, ST_Transform(ov.pt, 4326) AS pt, ov.share * ov.frac * c.persons AS w
              FROM ov JOIN census c ON c.unit = ov.unit WHERE ov.piece NOT LIKE 'd%'
            UNION ALL
            SELECT ov.tid, ST_Transform(d.geom, 4326), ov.share * ov.frac * c.persons / 20.0
              FROM ov JOIN census c ON c.unit = ov.unit
              JOIN inter i ON i.piece = ov.piece AND i.tid = ov.tid
              CROSS JOIN LATERAL ST_Dump(ST_GeneratePoints(i.ig, 20, 1)) d
             WHERE ov.piece LIKE 'd%'),
        weighted AS (
            SELECT p.tid, sum(p.w * {health_p}) / NULLIF(sum(p.w), 0) AS health_m,
                   sum(p.w * {school_p}) / NULLIF(sum(p.w), 0) AS school_m
              FROM pts p WHERE p.w > 0 GROUP BY p.tid),
        terr AS MATERIALIZED (  -- the point on surface once, not in every subquery
            SELECT id, kind, geom, ST_PointOnSurface(geom) AS pos FROM territory
             WHERE kind IN ('unidad_vecinal', 'localidad') AND geom IS NOT NULL)
        SELECT t.id, t.kind,
               coalesce(w.health_m, {health_t}) AS health_m,
               coalesce(w.school_m, {school_t}) AS school_m,
               w.tid IS NOT NULL AS weighted,
               ins.health AS health_inside, ins.schools AS schools_inside
          FROM terr t LEFT JOIN weighted w ON w.tid = t.id
         CROSS JOIN LATERAL (  -- one index probe for both kinds
            SELECT count(*) FILTER (WHERE f.kind = 'salud') AS health,
                   count(*) FILTER (WHERE f.kind = 'escuela') AS schools
              FROM facility f WHERE f.in_operation AND {{inside}}) ins
        UNION ALL  -- the unit weights, told apart by weighted IS NULL
        SELECT tid, unit, w, NULL, NULL, NULL, NULL FROM ({UNIT_WEIGHTS_SQL}) uw
         ORDER BY 1
        """.replace("{inside}", _INSIDE),
        )
    weights = unit_weights_from_rows((r[1], r[0], r[2]) for r in rows if r[4] is None)
    access = pd.DataFrame(
        [r for r in rows if r[4] is not None],
        columns=["id", "kind", "health_m", "school_m", "weighted", "health_inside", "schools_inside"],
    )
    return access, weights


# The bounding-box test lets the GiST index pick the candidates (0.02° > 1 km here).
_INSIDE = """f.geom && ST_Expand(t.geom, 0.02) AND
             CASE WHEN ST_Dimension(t.geom) = 2 THEN ST_Intersects(t.geom, f.geom)
                  ELSE ST_DWithin(t.geom::geography, f.geom::geography, 1000) END"""
