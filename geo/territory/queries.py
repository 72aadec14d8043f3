"""Read side of the territories: map layers, a territory's detail, choices for forms."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection, text

from geo.initiatives.filters import FILTERED_SQL, MapFilters, filter_params
from geo.investment.money import MONEY_JOIN

log = logging.getLogger(__name__)


def feature_collection(rows: Iterable[Any], properties: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of ``rows`` (each with its GeoJSON text in ``g``)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": json.loads(r.g), "properties": properties(r)} for r in rows
        ],
    }


def territory_features(
    conn: Connection, f: MapFilters, decimals: int = 5, simplify_m: float = 10.0
) -> dict[str, Any]:
    """GeoJSON of UVs and localities with the number of filtered initiatives linked to each."""
    rows = conn.execute(
        text(
            f"""
        WITH sel AS ({FILTERED_SQL}),
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
        """
        ),
        {**filter_params(f), "decimals": decimals, "simplify": simplify_m},
    ).all()
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": json.loads(r.geometry),
                "properties": {
                    "layer": r.kind,
                    "id": r.id,
                    "codigo": r.code,
                    "nombre": r.name,
                    "sector": (r.sector or "sin información").capitalize(),
                    "iniciativas": r.n,
                    "sin_geometria": r.n_sin_geom,
                    "label": [round(r.lx, decimals), round(r.ly, decimals)],
                },
            }
            for r in rows
        ],
    }


def base_layers(conn: Connection, decimals: int = 5, simplify_m: float = 10.0) -> dict[str, Any]:
    """Reference layers: commune and urban limits, schools, health establishments, placed sites.

    ``sites`` are the plan's named sites that a person placed (points, lines or polygons);
    the ones still sin ubicar have no geometry and are listed on the data-quality page.
    """

    def polys(kind: str) -> dict[str, Any]:
        rows = conn.execute(
            text(
                """
            SELECT name, ST_AsGeoJSON(ST_Transform(ST_SimplifyPreserveTopology(
                   ST_Transform(geom, 32719), :simplify), 4326), :decimals) AS g
              FROM boundary WHERE kind = :kind
            """
            ),
            {"kind": kind, "decimals": decimals, "simplify": simplify_m},
        ).all()
        return feature_collection(rows, lambda r: {"nombre": r.name})

    def facilities(kind: str) -> dict[str, Any]:
        rows = conn.execute(
            text(
                """
            SELECT id, code, name, subtype, dependency, operating_status, in_operation,
                   ST_AsGeoJSON(geom, :decimals) AS g
              FROM facility WHERE kind = :kind AND geom IS NOT NULL ORDER BY code
            """
            ),
            {"kind": kind, "decimals": decimals},
        ).all()
        return feature_collection(
            rows,
            lambda r: {
                "layer": kind,
                "id": r.id,
                "codigo": r.code,
                "nombre": r.name,
                "tipo": r.subtype or r.dependency or "",
                "estado": r.operating_status or "",
                "en_funcionamiento": bool(r.in_operation),
            },
        )

    def sites() -> dict[str, Any]:
        rows = conn.execute(
            text(
                """
            SELECT id, code, name, source,
                   ST_AsGeoJSON(CASE WHEN ST_Dimension(geom) > 0 THEN
                        ST_Transform(ST_SimplifyPreserveTopology(ST_Transform(geom, 32719), :simplify),
                                     4326)
                   ELSE geom END, :decimals) AS g
              FROM territory WHERE kind = 'sitio' AND geom IS NOT NULL ORDER BY name, id
            """
            ),
            {"decimals": decimals, "simplify": simplify_m},
        ).all()
        return feature_collection(
            rows,
            lambda r: {
                "layer": "sitio",
                "id": r.id,
                "codigo": r.code,
                "nombre": r.name,
                "fuente": r.source or "",
            },
        )

    return {
        "commune": polys("limite_comunal"),
        "urban": polys("limite_urbano"),
        "schools": facilities("escuela"),
        "health": facilities("salud"),
        "sites": sites(),
    }


def territory_detail(conn: Connection, territory_id: int, f: MapFilters) -> dict[str, Any] | None:
    """A territory and the filtered initiatives linked to it.

    No population here: the figure shown everywhere is
    :func:`geo.territory.population.population_table`'s (official or estimated), which is
    not free to compute, so callers take it from there (cached) by territory id.
    """
    row = (
        conn.execute(
            text(
                "SELECT id, kind, code, name, sector, source, "
                "geom IS NULL AS unlocated FROM territory WHERE id = :id"
            ),
            {"id": territory_id},
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    initiatives = (
        conn.execute(
            text(
                f"""
        WITH sel AS ({FILTERED_SQL})
        SELECT i.id, i.code, i.name, i.kind, i.status, money.total_clp, money.sources,
               s.code AS strategy_code, it.link_method
          FROM initiative_territory it JOIN sel ON sel.id = it.initiative_id
          JOIN initiative i ON i.id = it.initiative_id JOIN strategy s ON s.id = i.strategy_id
          {MONEY_JOIN}
         WHERE it.territory_id = :tid ORDER BY s.position, i.code
        """
            ),
            {**filter_params(f), "tid": territory_id},
        )
        .mappings()
        .all()
    )
    facilities = (
        conn.execute(
            text(
                """
        SELECT f.kind, f.name, f.operating_status FROM facility f JOIN territory t
            ON t.id = :tid AND ST_Intersects(t.geom, f.geom) ORDER BY f.kind, f.name
        """
            ),
            {"tid": territory_id},
        )
        .mappings()
        .all()
    )
    return {
        **dict(row),
        "initiatives": [dict(i) for i in initiatives],
        "facilities": [dict(x) for x in facilities],
    }


def territory_choices(conn: Connection) -> list[tuple[int, str, str, bool]]:
    """Every UV, locality and site as (id, label, kind, located), UVs first."""
    rows = conn.execute(
        text(
            """
        SELECT id, kind, code, name, geom IS NOT NULL AS located FROM territory
         ORDER BY CASE kind WHEN 'unidad_vecinal' THEN 0 WHEN 'localidad' THEN 1 ELSE 2 END,
                  code, name
        """
        )
    ).all()
    out = []
    for r in rows:
        if r.kind == "unidad_vecinal":
            label = f"UV {r.code} · {r.name}"
        elif r.kind == "localidad":
            label = f"Localidad · {r.name}"
        else:
            label = f"Sitio · {r.name}" + ("" if r.located else " (sin ubicar)")
        out.append((r.id, label, r.kind, bool(r.located)))
    return out


def territory_geojson(conn: Connection, territory_ids: list[int], decimals: int = 6) -> dict[str, Any]:
    """GeoJSON of some located territories (to show the one whose geometry would be copied)."""
    rows = conn.execute(
        text(
            """
        SELECT id, name, ST_AsGeoJSON(geom, :d) AS g FROM territory
         WHERE id = ANY(:ids) AND geom IS NOT NULL
        """
        ),
        {"ids": territory_ids, "d": decimals},
    ).all()
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": json.loads(r.g), "properties": {"id": r.id, "nombre": r.name}}
            for r in rows
        ],
    }


def near_commune(conn: Connection, wkb: bytes) -> bool:
    """True when the geometry touches the commune (2 km tolerance) or no limit is loaded."""
    inside = conn.execute(
        text(
            """
            SELECT bool_or(ST_DWithin(c.geom::geography, ST_GeomFromWKB(:wkb, 4326)::geography, 2000))
              FROM boundary c WHERE c.kind = 'limite_comunal'
            """
        ),
        {"wkb": wkb},
    ).scalar()
    return inside is not False
