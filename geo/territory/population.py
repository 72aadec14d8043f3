"""Census 2017 population of every unidad vecinal and rural locality (dasymetric estimate).

Method (also explained on the «Brechas territoriales» page):

* The census table gives persons per ``geocodigo`` = comuna(5) + distrito(2) + área(1) +
  zona/localidad(3), in four age groups. Area digit 1 is an urban census zone (it has a
  polygon); area digit 2 is a rural locality (no polygon, only its district has one).
* **Urban zones** are spread over their blocks (manzanas INE 2016) in proportion to block
  area: people live in blocks, not in streets or the river bed. The pack has no per-block
  counts (only ``MANZENT`` and codes), so block area is the best weight it allows. A zone
  without blocks in the pack is spread over its own polygon.
* **Rural localities** are summed by census district and spread over the district *minus*
  its urban zones (rural people do not live in the city's zones).
* Each piece (block or rural district remainder) is split between the UVs it overlaps in
  proportion to the overlapping area, normalised over the UVs it touches, so nobody is
  lost where the UV layer and the INE layers disagree at the edges. Every person of a
  unit that touches some UV is therefore counted exactly once: the sum over UVs equals
  the census total of the units used. Units without a polygon (e.g. district 99, zone 999:
  persons the census could not place) are reported as not assigned.
* Figures are rounded per age group with the largest-remainder rule, so the rounded UV
  figures still add up to the census total; the total of a UV is the sum of its ages.
* A **rural locality** stands for the rural population of the census district that holds
  it (the people it serves); when several localities share a district, each shows the
  same district figure and says so. Locality figures are not added to UV figures.
* An **official figure** imported by the municipality (``sit population import``) replaces
  the estimate of that territory and is labelled as such.

All geometry work runs in PostGIS in EPSG:32719 (UTM 19S).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy import Connection, text

log = logging.getLogger(__name__)

#: The four age groups of the census file, in order.
AGE_GROUPS: tuple[str, ...] = ("0 a 5", "6 a 14", "15 a 64", "65 y mas")
SOURCE_ESTIMATE_UV = "Estimación Censo 2017 (manzanas y distritos INE, dasimétrica por área)"
SOURCE_ESTIMATE_LOCALITY = "Estimación Censo 2017: población rural del distrito censal {district}"
OFFICIAL_PREFIX = "Cifra oficial municipal"

#: Pieces of census units, in EPSG:32719, with the share of their unit's people they hold,
#: split between the UVs they overlap (``frac`` sums to 1 over the UVs of one piece).
#: Columns of ``ov``: piece, unit, share, tid, frac, pt (a point of the piece inside the UV).
PIECES_CTE = """
zones AS MATERIALIZED (
    SELECT code, district_code AS d, zone_code AS z, ST_Transform(geom, 32719) AS g
      FROM census_area WHERE kind = 'zona'),
blocks AS (
    SELECT b.id, zo.code AS unit, ST_Transform(b.geom, 32719) AS g
      FROM census_area b JOIN zones zo ON zo.d = b.district_code AND zo.z = b.zone_code
     WHERE b.kind = 'manzana'),
pieces AS MATERIALIZED (
    SELECT 'm' || id AS piece, unit, g,
           ST_Area(g) / NULLIF(sum(ST_Area(g)) OVER (PARTITION BY unit), 0) AS share
      FROM blocks
    UNION ALL
    SELECT 'z' || zo.code, zo.code, zo.g, 1.0
      FROM zones zo WHERE NOT EXISTS (SELECT 1 FROM blocks b WHERE b.unit = zo.code)
    UNION ALL
    SELECT 'd' || di.code, 'R' || di.code,
           coalesce(ST_Difference(ST_Transform(di.geom, 32719),
                    (SELECT ST_Union(zo.g) FROM zones zo WHERE zo.d = di.district_code)),
                    ST_Transform(di.geom, 32719)), 1.0
      FROM census_area di WHERE di.kind = 'distrito'),
uvs AS MATERIALIZED (
    -- only the UVs within reach of the census geography (GiST index on territory.geom)
    SELECT id, ST_Transform(geom, 32719) AS g FROM territory
     WHERE kind = 'unidad_vecinal' AND ST_Dimension(geom) = 2
       AND geom && (SELECT ST_SetSRID(ST_Extent(geom), 4326) FROM census_area)),
inter AS MATERIALIZED (
    SELECT p.piece, p.unit, p.share, u.id AS tid, ST_Intersection(p.g, u.g) AS ig
      FROM pieces p JOIN uvs u ON ST_Intersects(p.g, u.g)),
ov AS MATERIALIZED (
    SELECT piece, unit, share, tid,
           ST_Area(ig) / NULLIF(sum(ST_Area(ig)) OVER (PARTITION BY piece), 0) AS frac,
           ST_PointOnSurface(ig) AS pt
      FROM inter WHERE ST_Area(ig) > 0)
"""


@dataclass
class PopulationTable:
    """Population of every UV and locality, plus the census figures behind the estimate."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    census_total: int = 0
    census_used: int = 0
    unassigned_units: list[dict[str, Any]] = field(default_factory=list)

    @property
    def uv_total(self) -> int:
        """Sum of the population shown for the UVs (official where imported)."""
        return sum(r["population"] or 0 for r in self.rows if r["kind"] == "unidad_vecinal")

    def as_json(self) -> dict[str, Any]:
        """Plain dict for ``sit population --json``."""
        return {
            "territories": self.rows,
            "totals": {
                "census_total": self.census_total,
                "census_used": self.census_used,
                "census_not_assigned": self.census_total - self.census_used,
                "uv_total": self.uv_total,
                "uv_estimate_total": sum(
                    r["estimate"] or 0 for r in self.rows if r["kind"] == "unidad_vecinal"
                ),
            },
            "not_assigned": self.unassigned_units,
            "age_groups": list(AGE_GROUPS),
        }


def largest_remainder(values: Mapping[int, float | Fraction], total: int) -> dict[int, int]:
    """Round ``values`` to integers that add up to ``total`` (largest-remainder rule).

    Each value is floored and the units still missing go to the largest fractional parts
    (ties: the smaller key first). With exact values (``Fraction``) that already sum to
    ``total`` the parts always add up to it; population estimates and attributed investment
    (:mod:`geo.investment.attribution`) are both rounded this way.
    """
    floors = {k: int(v // 1) for k, v in values.items()}
    missing = total - sum(floors.values())
    order = sorted(values, key=lambda k: (-(values[k] - floors[k]), k))
    for k in order[: max(missing, 0)]:
        floors[k] += 1
    return floors


def _census_by_unit(conn: Connection) -> dict[str, dict[str, int]]:
    rows = conn.execute(
        text(
            """
        SELECT CASE WHEN substr(geocode, 8, 1) = '1' THEN geocode
                    ELSE 'R' || substr(geocode, 1, 7) END AS unit, age_group, sum(persons)
          FROM census_population GROUP BY 1, 2
        """
        )
    ).all()
    out: dict[str, dict[str, int]] = {}
    for unit, age, persons in rows:
        out.setdefault(unit, {})[age] = int(persons)
    return out


#: Census unit -> {UV id: share of the unit's people living in that UV} (sums to 1).
UnitWeights = dict[str, dict[int, float]]

#: The rows of :func:`unit_weights`, a query on :data:`PIECES_CTE` (the access query of
#: :mod:`geo.coverage.access` runs the same one next to its own).
UNIT_WEIGHTS_SQL = "SELECT unit, tid, sum(share * frac) AS w FROM ov GROUP BY unit, tid"


def unit_weights_from_rows(rows: Iterable[tuple[Any, ...]]) -> UnitWeights:
    """:data:`UnitWeights` from ``(unit, tid, w)`` rows of :data:`UNIT_WEIGHTS_SQL`."""
    out: UnitWeights = {}
    for unit, tid, w in rows:
        out.setdefault(unit, {})[tid] = float(w)
    return out


def unit_weights(conn: Connection) -> UnitWeights:
    """Census unit -> {UV id: share of the unit's people living in that UV} (sums to 1)."""
    return unit_weights_from_rows(conn.execute(text(f"WITH {PIECES_CTE} {UNIT_WEIGHTS_SQL}")).all())


def uv_estimates(
    conn: Connection, weights: UnitWeights | None = None
) -> tuple[dict[int, dict[str, int]], dict[str, int], list[dict[str, Any]]]:
    """Estimate per UV id and age group, census persons used per age group, units not placed.

    ``weights``: the result of :func:`unit_weights` when the caller already has it.
    """
    census = _census_by_unit(conn)
    weights = unit_weights(conn) if weights is None else weights
    used_by_age: dict[str, int] = {}
    by_age: dict[str, dict[int, float]] = {}
    unassigned = []
    for unit, ages in sorted(census.items()):
        if unit not in weights:
            if sum(ages.values()):
                unassigned.append({"unit": unit, "persons": sum(ages.values())})
            continue
        for age, persons in ages.items():
            used_by_age[age] = used_by_age.get(age, 0) + persons
            for tid, w in weights[unit].items():
                by_age.setdefault(age, {}).setdefault(tid, 0.0)
                by_age[age][tid] += w * persons
    out: dict[int, dict[str, int]] = {}
    for age, values in by_age.items():
        for tid, n in largest_remainder(values, used_by_age.get(age, 0)).items():
            out.setdefault(tid, {})[age] = n
    return out, used_by_age, unassigned


def _locality_estimates(conn: Connection) -> dict[int, dict[str, Any]]:
    """Rural population of the census district holding each locality."""
    rows = conn.execute(
        text(
            """
        WITH loc AS (
            SELECT t.id, d.code AS district, d.name AS district_name
              FROM territory t JOIN census_area d
                ON d.kind = 'distrito' AND ST_Intersects(d.geom, ST_PointOnSurface(t.geom))
             WHERE t.kind = 'localidad' AND t.geom IS NOT NULL),
        shared AS (SELECT district, count(*) AS n FROM loc GROUP BY district)
        SELECT loc.id, loc.district, loc.district_name, shared.n, c.age_group,
               coalesce(sum(c.persons), 0) AS persons
          FROM loc JOIN shared USING (district)
          LEFT JOIN census_population c
            ON substr(c.geocode, 1, 7) = loc.district AND substr(c.geocode, 8, 1) = '2'
         GROUP BY loc.id, loc.district, loc.district_name, shared.n, c.age_group
        """
        )
    ).all()
    out: dict[int, dict[str, Any]] = {}
    for tid, district, name, shared, age, persons in rows:
        d = out.setdefault(tid, {"district": district, "district_name": name, "shared": shared, "ages": {}})
        if age is not None:
            d["ages"][age] = int(persons)
    return out


def population_table(conn: Connection, weights: UnitWeights | None = None) -> PopulationTable:
    """Population of every located UV and locality: estimate, official figure, what is shown.

    ``weights``: the census unit weights (:func:`unit_weights`) when the caller already has
    them; coverage gets them from the access query, which intersects the same pieces.
    """
    uv_est, used, unassigned = uv_estimates(conn, weights)
    loc_est = _locality_estimates(conn)
    census_total = conn.execute(text("SELECT coalesce(sum(persons), 0) FROM census_population")).scalar_one()
    terr = (
        conn.execute(
            text(
                """
        SELECT id, kind, code, name, sector, population, population_source,
               attrs->'population_ages' AS official_ages
          FROM territory
         WHERE kind IN ('unidad_vecinal', 'localidad') AND geom IS NOT NULL
         ORDER BY kind DESC, code
        """
            )
        )
        .mappings()
        .all()
    )
    table = PopulationTable(
        census_total=int(census_total), census_used=sum(used.values()), unassigned_units=unassigned
    )
    for t in terr:
        note = None
        est_source: str | None
        if t["kind"] == "unidad_vecinal":
            ages = uv_est.get(t["id"], {}) if uv_est else {}
            est_source = SOURCE_ESTIMATE_UV
        else:
            loc = loc_est.get(t["id"])
            ages = loc["ages"] if loc else {}
            est_source = SOURCE_ESTIMATE_LOCALITY.format(district=loc["district_name"]) if loc else None
            if loc and loc["shared"] > 1:
                note = (
                    f"El distrito censal {loc['district_name']} contiene {loc['shared']} "
                    "localidades; cada una muestra la población rural del distrito."
                )
        estimate = sum(ages.get(a, 0) for a in AGE_GROUPS) if ages else None
        official = t["population"] is not None
        shown_ages = (
            dict(t["official_ages"])
            if official and t["official_ages"]
            else ({} if official else {a: ages.get(a, 0) for a in AGE_GROUPS} if ages else {})
        )
        table.rows.append(
            {
                "id": t["id"],
                "kind": t["kind"],
                "code": t["code"],
                "name": t["name"],
                "sector": t["sector"],
                "population": t["population"] if official else estimate,
                "ages": shown_ages,
                "estimate": estimate,
                "estimate_ages": ({a: ages.get(a, 0) for a in AGE_GROUPS} if ages else {}),
                "official": official,
                "source": t["population_source"] if official else est_source,
                "note": note,
            }
        )
    return table
