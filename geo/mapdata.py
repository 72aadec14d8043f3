"""Queries behind the map page.

Filtered initiatives, their drawable features, and the territories with how many of the
filtered initiatives each one holds. Every figure the page shows (counts, drawn features,
table, territory counts) comes from the same filter query, ``_FILTERED``, so they agree by
construction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Connection, text

from geo.domain import INITIATIVE_KINDS, SCOPES, STATUSES, format_clp, status_label


@dataclass(frozen=True)
class MapFilters:
    """What the user picked; an empty tuple means "all"."""

    strategies: tuple[str, ...] = ()
    plans: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    include_demo: bool = True

    def key(self) -> tuple:
        """A hashable key for caches."""
        return (self.strategies, self.plans, self.kinds, self.statuses, self.sectors,
                self.include_demo)


# Sector of an initiative: ``comunal`` when its scope is the whole commune; ``urbano``/``rural``
# when it is linked to a territory of that sector (a link from geometry or from a name).
_FILTERED = """
SELECT i.id
  FROM initiative i
  JOIN strategy s ON s.id = i.strategy_id
  LEFT JOIN plan p ON p.id = i.plan_id
 WHERE (cardinality(CAST(:strategies AS text[])) = 0 OR s.code = ANY(:strategies))
   AND (cardinality(CAST(:plans AS text[])) = 0 OR p.code = ANY(:plans))
   AND (cardinality(CAST(:kinds AS text[])) = 0 OR i.kind = ANY(:kinds))
   AND (cardinality(CAST(:statuses AS text[])) = 0 OR i.status = ANY(:statuses))
   AND (:include_demo OR NOT i.is_demo)
   AND (cardinality(CAST(:sectors AS text[])) = 0
        OR ('comunal' = ANY(:sectors) AND i.scope = 'comunal')
        OR EXISTS (SELECT 1 FROM initiative_territory it JOIN territory t ON t.id = it.territory_id
                    WHERE it.initiative_id = i.id AND t.sector = ANY(:sectors)))
"""


def _params(f: MapFilters) -> dict[str, Any]:
    return {"strategies": list(f.strategies), "plans": list(f.plans), "kinds": list(f.kinds),
            "statuses": list(f.statuses), "sectors": list(f.sectors),
            "include_demo": f.include_demo}


def data_version(conn: Connection) -> str:
    """A fingerprint that changes whenever initiatives, territories or links change."""
    row = conn.execute(text(
        """
        SELECT (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM initiative),
               (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM territory),
               (SELECT count(*) || ':' || coalesce(max(created_at)::text, '')
                  FROM initiative_territory)
        """)).one()
    return "|".join(row)


def filter_options(conn: Connection) -> dict[str, list[tuple[str, str]]]:
    """Choices for the filters as (code, label) pairs, in catalogue order."""
    strategies = conn.execute(text(
        "SELECT code, code || ' · ' || name FROM strategy ORDER BY position")).all()
    plans = conn.execute(text(
        """
        SELECT p.code, p.code || ' · ' || p.name, s.code AS strategy
          FROM plan p JOIN strategy s ON s.id = p.strategy_id ORDER BY s.position, p.position
        """)).all()
    return {
        "strategies": [(c, label) for c, label in strategies],
        "plans": [(c, label, s) for c, label, s in plans],
        "kinds": list(INITIATIVE_KINDS.items()),
        "statuses": list(STATUSES.items()),
    }


def filtered_initiatives(conn: Connection, f: MapFilters) -> pd.DataFrame:
    """The table of the filtered initiatives, one row each, in catalogue order."""
    rows = conn.execute(text(
        f"""
        WITH sel AS ({_FILTERED})
        SELECT i.id, i.code, i.name, i.kind, i.status, i.scope, i.amount_clp,
               i.funding_source, i.is_demo, i.geom IS NOT NULL AS has_geometry,
               s.code AS strategy_code, s.name AS strategy_name, s.position AS strategy_position,
               p.name AS plan_name, g.name AS program_name,
               coalesce(terr.names, '') AS territories, coalesce(terr.sectors, '') AS sectors,
               coalesce(terr.n, 0) AS territory_count
          FROM sel JOIN initiative i ON i.id = sel.id
          JOIN strategy s ON s.id = i.strategy_id
          LEFT JOIN plan p ON p.id = i.plan_id
          LEFT JOIN program g ON g.id = i.program_id
          LEFT JOIN LATERAL (
                SELECT string_agg(t.name, '; ' ORDER BY t.kind DESC, t.code) AS names,
                       string_agg(DISTINCT t.sector, ', ') AS sectors, count(*) AS n
                  FROM initiative_territory it JOIN territory t ON t.id = it.territory_id
                 WHERE it.initiative_id = i.id) terr ON true
         ORDER BY i.is_demo, s.position, i.code
        """), _params(f)).mappings().all()
    return pd.DataFrame(rows, columns=[
        "id", "code", "name", "kind", "status", "scope", "amount_clp", "funding_source",
        "is_demo", "has_geometry", "strategy_code", "strategy_name", "strategy_position",
        "plan_name", "program_name", "territories", "sectors", "territory_count"])


def initiative_features(conn: Connection, f: MapFilters, decimals: int = 5) -> dict[str, Any]:
    """GeoJSON of the filtered initiatives that have a geometry (coordinates rounded)."""
    rows = conn.execute(text(
        f"""
        WITH sel AS ({_FILTERED})
        SELECT i.id, i.code, i.name, i.status, i.amount_clp, s.position AS strategy_position,
               ST_AsGeoJSON(i.geom, :decimals) AS geometry
          FROM sel JOIN initiative i ON i.id = sel.id JOIN strategy s ON s.id = i.strategy_id
         WHERE i.geom IS NOT NULL
         ORDER BY i.id
        """), {**_params(f), "decimals": decimals}).all()
    features = [{
        "type": "Feature",
        "geometry": json.loads(r.geometry),
        # Only what the map uses: the click (layer, id), the colour (pos), the tooltip.
        "properties": {
            "layer": "iniciativa", "id": r.id, "codigo": r.code, "nombre": r.name,
            "estado": status_label(r.status), "monto": format_clp(r.amount_clp),
            "pos": r.strategy_position,
        },
    } for r in rows]
    return {"type": "FeatureCollection", "features": features}


def territory_features(conn: Connection, f: MapFilters, decimals: int = 5,
                       simplify_m: float = 10.0) -> dict[str, Any]:
    """GeoJSON of UVs and localities with the number of filtered initiatives linked to each."""
    rows = conn.execute(text(
        f"""
        WITH sel AS ({_FILTERED}),
        counts AS (
            SELECT it.territory_id, count(*) AS n,
                   count(*) FILTER (WHERE i.geom IS NULL) AS n_without_geometry
              FROM initiative_territory it JOIN sel ON sel.id = it.initiative_id
              JOIN initiative i ON i.id = it.initiative_id
             GROUP BY it.territory_id)
        SELECT t.id, t.kind, t.code, t.name, t.sector, t.population,
               coalesce(c.n, 0) AS n, coalesce(c.n_without_geometry, 0) AS n_sin_geom,
               ST_X(lp.pt) AS lx, ST_Y(lp.pt) AS ly,
               ST_AsGeoJSON(
                   CASE WHEN ST_Dimension(t.geom) = 2 THEN
                        ST_Transform(ST_SimplifyPreserveTopology(ST_Transform(t.geom, 32719),
                                     :simplify), 4326)
                   ELSE t.geom END, :decimals) AS geometry
          FROM territory t LEFT JOIN counts c ON c.territory_id = t.id
          CROSS JOIN LATERAL (SELECT ST_PointOnSurface(t.geom) AS pt) lp
         WHERE t.geom IS NOT NULL AND t.kind IN ('unidad_vecinal', 'localidad')
         ORDER BY t.kind DESC, t.code
        """), {**_params(f), "decimals": decimals, "simplify": simplify_m}).all()
    return {"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": json.loads(r.geometry),
        "properties": {
            "layer": r.kind, "id": r.id, "codigo": r.code, "nombre": r.name,
            "sector": (r.sector or "sin información").capitalize(), "iniciativas": r.n,
            "sin_geometria": r.n_sin_geom,
            "label": [round(r.lx, decimals), round(r.ly, decimals)],
        }} for r in rows]}


def base_layers(conn: Connection, decimals: int = 5, simplify_m: float = 10.0) -> dict[str, Any]:
    """Reference layers: commune limit, urban limit, schools and health establishments."""
    def polys(kind: str) -> dict[str, Any]:
        rows = conn.execute(text(
            """
            SELECT name, ST_AsGeoJSON(ST_Transform(ST_SimplifyPreserveTopology(
                   ST_Transform(geom, 32719), :simplify), 4326), :decimals) AS g
              FROM boundary WHERE kind = :kind
            """), {"kind": kind, "decimals": decimals, "simplify": simplify_m}).all()
        return {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": json.loads(r.g), "properties": {"nombre": r.name}}
            for r in rows]}

    def facilities(kind: str) -> dict[str, Any]:
        rows = conn.execute(text(
            """
            SELECT id, code, name, subtype, dependency, operating_status, in_operation,
                   ST_AsGeoJSON(geom, :decimals) AS g
              FROM facility WHERE kind = :kind AND geom IS NOT NULL ORDER BY code
            """), {"kind": kind, "decimals": decimals}).all()
        return {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": json.loads(r.g), "properties": {
                "layer": kind, "id": r.id, "codigo": r.code, "nombre": r.name,
                "tipo": r.subtype or r.dependency or "", "estado": r.operating_status or "",
                "en_funcionamiento": bool(r.in_operation)}} for r in rows]}

    return {"commune": polys("limite_comunal"), "urban": polys("limite_urbano"),
            "schools": facilities("escuela"), "health": facilities("salud")}


def initiative_detail(conn: Connection, initiative_id: int) -> dict[str, Any] | None:
    """Everything the detail panel shows for one initiative."""
    row = conn.execute(text(
        """
        SELECT i.*, s.code AS strategy_code, s.name AS strategy_name, p.code AS plan_code,
               p.name AS plan_name, g.name AS program_name
          FROM initiative i JOIN strategy s ON s.id = i.strategy_id
          LEFT JOIN plan p ON p.id = i.plan_id LEFT JOIN program g ON g.id = i.program_id
         WHERE i.id = :id
        """), {"id": initiative_id}).mappings().first()
    if row is None:
        return None
    territories = conn.execute(text(
        """
        SELECT t.kind, t.code, t.name, t.sector, t.geom IS NULL AS unlocated, it.link_method,
               it.weight
          FROM initiative_territory it JOIN territory t ON t.id = it.territory_id
         WHERE it.initiative_id = :id ORDER BY t.kind DESC, t.code
        """), {"id": initiative_id}).mappings().all()
    facilities = conn.execute(text(
        """
        SELECT f.kind, f.name FROM initiative_facility x JOIN facility f ON f.id = x.facility_id
         WHERE x.initiative_id = :id ORDER BY f.kind, f.name
        """), {"id": initiative_id}).mappings().all()
    return {**dict(row), "scope_label": SCOPES.get(row["scope"], row["scope"]),
            "territories": [dict(t) for t in territories],
            "facilities": [dict(x) for x in facilities]}


def territory_detail(conn: Connection, territory_id: int, f: MapFilters) -> dict[str, Any] | None:
    """A territory and the filtered initiatives linked to it."""
    row = conn.execute(text(
        "SELECT id, kind, code, name, sector, population, population_source, source, "
        "geom IS NULL AS unlocated FROM territory WHERE id = :id"), {"id": territory_id}
    ).mappings().first()
    if row is None:
        return None
    initiatives = conn.execute(text(
        f"""
        WITH sel AS ({_FILTERED})
        SELECT i.id, i.code, i.name, i.kind, i.status, i.amount_clp, s.code AS strategy_code,
               it.link_method
          FROM initiative_territory it JOIN sel ON sel.id = it.initiative_id
          JOIN initiative i ON i.id = it.initiative_id JOIN strategy s ON s.id = i.strategy_id
         WHERE it.territory_id = :tid ORDER BY s.position, i.code
        """), {**_params(f), "tid": territory_id}).mappings().all()
    facilities = conn.execute(text(
        """
        SELECT f.kind, f.name, f.operating_status FROM facility f JOIN territory t
            ON t.id = :tid AND ST_Intersects(t.geom, f.geom) ORDER BY f.kind, f.name
        """), {"tid": territory_id}).mappings().all()
    return {**dict(row), "initiatives": [dict(i) for i in initiatives],
            "facilities": [dict(x) for x in facilities]}


@dataclass
class QualityReport:
    """The data-quality panel: what a planner should fix or know."""

    without_territory: list[dict[str, Any]] = field(default_factory=list)
    localized_without_territory: int = 0
    commune_wide: int = 0
    outside_commune: int = 0
    unlocated_sites: list[dict[str, Any]] = field(default_factory=list)
    demo_initiatives: int = 0


def data_quality(conn: Connection) -> QualityReport:
    """Initiatives without any territory, sites sin ubicar, demo data."""
    rows = conn.execute(text(
        """
        SELECT i.code, i.name, i.scope FROM initiative i
         WHERE NOT EXISTS (SELECT 1 FROM initiative_territory it WHERE it.initiative_id = i.id)
           AND i.geom IS NULL
         ORDER BY i.scope DESC, i.code
        """)).mappings().all()
    sites = conn.execute(text(
        """
        SELECT t.kind, t.code, t.name, t.source,
               (SELECT count(*) FROM initiative_territory it WHERE it.territory_id = t.id) AS n
          FROM territory t WHERE t.geom IS NULL ORDER BY t.name
        """)).mappings().all()
    demo = conn.execute(text("SELECT count(*) FROM initiative WHERE is_demo")).scalar_one()
    return QualityReport(
        without_territory=[dict(r) for r in rows],
        localized_without_territory=sum(1 for r in rows if r["scope"] == "localizada"),
        commune_wide=sum(1 for r in rows if r["scope"] == "comunal"),
        outside_commune=sum(1 for r in rows if r["scope"] == "fuera_comuna"),
        unlocated_sites=[dict(s) for s in sites],
        demo_initiatives=demo,
    )


#: Public names of the shared filter query, for other pages' queries (``geo.coverage``).
FILTERED_SQL = _FILTERED
filter_params = _params
