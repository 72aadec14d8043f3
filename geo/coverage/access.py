"""Access to services: population-weighted distance to the nearest school and health post."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from geo.coverage.nearest import nearest_distance_m
from geo.db import fetch_tuples
from geo.territory.population import PIECES_CTE, UNIT_WEIGHTS_SQL, UnitWeights, unit_weights_from_rows

log = logging.getLogger(__name__)

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
    geodesics on the WGS84 ellipsoid (metres, as PostGIS measures geography), so this also
    works outside UTM zone 19. PostGIS gives the points, their weights and the facilities;
    the nearest facility of each point is found in numpy (:mod:`geo.coverage.nearest`):
    ~23,000 look-ups at national scale, which one KNN subquery each made the floor of the
    statement (0.7 of 0.9 s).
    """
    rows = fetch_tuples(conn, _POINTS_SQL)
    places = fetch_tuples(conn, _PLACES_SQL.replace("{inside}", _INSIDE))
    facilities = fetch_tuples(conn, _FACILITIES_SQL)
    weights = unit_weights_from_rows((r[1], r[0], r[4]) for r in rows if r[1] is not None)
    pts = [r for r in rows if r[1] is None]
    tids = np.array([r[0] for r in places], dtype=np.int64)
    at = pd.Index(tids).get_indexer(pd.Index([r[0] for r in pts], dtype=np.int64))
    known = at >= 0  # every point's UV is a territory here; the guard costs nothing
    at = at[known]
    w = np.array([r[4] for r in pts], dtype=float)[known]
    pts_xy = np.array([(r[2], r[3]) for r in pts], dtype=float).reshape(-1, 2)[known]
    own_xy = np.array([(r[2], r[3]) for r in places], dtype=float).reshape(-1, 2)
    weighted = np.bincount(at, minlength=len(tids)) > 0
    total_w = np.bincount(at, weights=w, minlength=len(tids))
    columns = []
    for kind in ("salud", "escuela"):
        fac = np.array([(x, y) for k, x, y in facilities if k == kind], dtype=float).reshape(-1, 2)
        mean = np.bincount(at, weights=w * nearest_distance_m(pts_xy, fac), minlength=len(tids))
        mean = np.divide(mean, total_w, out=np.full(len(tids), np.nan), where=weighted)
        own = ~weighted | np.isnan(mean)
        mean[own] = nearest_distance_m(own_xy[own], fac)
        columns.append([None if d != d else d for d in mean.tolist()])
    access = pd.DataFrame(
        [
            (tid, kind, h, s, bool(wd), hi, si)
            for (tid, kind, _x, _y, hi, si), h, s, wd in zip(
                places, columns[0], columns[1], weighted.tolist(), strict=True
            )
        ],
        columns=["id", "kind", "health_m", "school_m", "weighted", "health_inside", "schools_inside"],
    )
    return access, weights


#: The weighted points of the UVs (unit NULL: tid, lon, lat, w > 0), then the unit weights
#: of the population estimate (tid, unit, NULL, NULL, w), from the same census pieces.
_POINTS_SQL = f"""
WITH {PIECES_CTE},
census AS MATERIALIZED (
    SELECT CASE WHEN substr(geocode, 8, 1) = '1' THEN geocode
                ELSE 'R' || substr(geocode, 1, 7) END AS unit, sum(persons) AS persons
      FROM census_population GROUP BY 1),
pts AS (
    SELECT ov.tid, ST_Transform(ov.pt, 4326) AS pt, ov.share * ov.frac * c.persons AS w
      FROM ov JOIN census c ON c.unit = ov.unit WHERE ov.piece NOT LIKE 'd%'
    UNION ALL
    SELECT ov.tid, ST_Transform(d.geom, 4326), ov.share * ov.frac * c.persons / 20.0
      FROM ov JOIN census c ON c.unit = ov.unit
      JOIN inter i ON i.piece = ov.piece AND i.tid = ov.tid
      CROSS JOIN LATERAL ST_Dump(ST_GeneratePoints(i.ig, 20, 1)) d
     WHERE ov.piece LIKE 'd%')
SELECT tid, NULL::text, ST_X(pt), ST_Y(pt), w FROM pts WHERE w > 0
UNION ALL
SELECT tid, unit, NULL, NULL, w FROM ({UNIT_WEIGHTS_SQL}) uw
"""

#: Every UV and locality: id, kind, its point on surface (lon, lat), facilities inside.
_PLACES_SQL = """
SELECT t.id, t.kind, ST_X(t.pos), ST_Y(t.pos), ins.health, ins.schools
  FROM (SELECT id, kind, geom, ST_PointOnSurface(geom) AS pos FROM territory
         WHERE kind IN ('unidad_vecinal', 'localidad') AND geom IS NOT NULL) t
 CROSS JOIN LATERAL (  -- one index probe for both kinds
    SELECT count(*) FILTER (WHERE f.kind = 'salud') AS health,
           count(*) FILTER (WHERE f.kind = 'escuela') AS schools
      FROM facility f WHERE f.in_operation AND {inside}) ins
 ORDER BY t.id
"""

#: The facilities in operation the distances are measured to.
_FACILITIES_SQL = """
SELECT kind, ST_X(geom), ST_Y(geom) FROM facility
 WHERE in_operation AND geom IS NOT NULL AND kind IN ('salud', 'escuela')
"""


# The bounding-box test lets the GiST index pick the candidates (0.02° > 1 km here).
_INSIDE = """f.geom && ST_Expand(t.geom, 0.02) AND
             CASE WHEN ST_Dimension(t.geom) = 2 THEN ST_Intersects(t.geom, f.geom)
                  ELSE ST_DWithin(t.geom::geography, f.geom::geography, 1000) END"""
