"""Queries behind the map page.

Filtered initiatives, their drawable features, and the territories with how many of the
filtered initiatives each one holds. Every figure the page shows (counts, drawn features,
table, territory counts) comes from the same filter query, ``FILTERED_SQL``, so they agree by
construction.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Connection, text

from geo.domain import SCOPES, status_label
from geo.initiatives.filters import FILTERED_SQL, MapFilters, filter_params
from geo.investment.labels import money
from geo.investment.money import MONEY_JOIN
from geo.territory.reference import REFERENCE_VERSION_SQL

log = logging.getLogger(__name__)


def data_version(conn: Connection) -> str:
    """A fingerprint that changes whenever initiatives, territories, links or reference layers change.

    One query for every cache key of a page run: its last part is the reference layers' own
    fingerprint (:func:`reference_part`), which keys their encoding alone.
    """
    row = conn.execute(
        text(
            f"""
        SELECT (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM initiative),
               (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM territory),
               (SELECT count(*) || ':' || coalesce(max(created_at)::text, '')
                  FROM initiative_territory),
               ({REFERENCE_VERSION_SQL})
        """
        )
    ).one()
    return "|".join(row)


def reference_part(version: str) -> str:
    """The reference layers' fingerprint inside a :func:`data_version`."""
    return version.rsplit("|", 1)[-1]


def filtered_initiatives(conn: Connection, f: MapFilters) -> pd.DataFrame:
    """The table of the filtered initiatives, one row each, in catalogue order."""
    rows = (
        conn.execute(
            text(
                f"""
        WITH sel AS ({FILTERED_SQL})
        SELECT i.id, i.code, i.name, i.kind, i.status, i.scope, money.total_clp,
               money.sources, i.is_demo, i.geom IS NOT NULL AS has_geometry,
               s.code AS strategy_code, s.name AS strategy_name, s.position AS strategy_position,
               p.name AS plan_name, g.name AS program_name,
               coalesce(terr.names, '') AS territories, coalesce(terr.sectors, '') AS sectors,
               coalesce(terr.n, 0) AS territory_count
          FROM sel JOIN initiative i ON i.id = sel.id
          JOIN strategy s ON s.id = i.strategy_id
          LEFT JOIN plan p ON p.id = i.plan_id
          LEFT JOIN program g ON g.id = i.program_id
          {MONEY_JOIN}
          LEFT JOIN LATERAL (
                SELECT string_agg(t.name, '; ' ORDER BY t.kind DESC, t.code) AS names,
                       string_agg(DISTINCT t.sector, ', ') AS sectors, count(*) AS n
                  FROM initiative_territory it JOIN territory t ON t.id = it.territory_id
                 WHERE it.initiative_id = i.id) terr ON true
         ORDER BY i.is_demo, s.position, i.code
        """
            ),
            filter_params(f),
        )
        .mappings()
        .all()
    )
    return pd.DataFrame(
        rows,
        columns=[
            "id",
            "code",
            "name",
            "kind",
            "status",
            "scope",
            "total_clp",
            "sources",
            "is_demo",
            "has_geometry",
            "strategy_code",
            "strategy_name",
            "strategy_position",
            "plan_name",
            "program_name",
            "territories",
            "sectors",
            "territory_count",
        ],
    )


def initiative_features(conn: Connection, f: MapFilters, decimals: int = 5) -> dict[str, Any]:
    """GeoJSON of the filtered initiatives that have a geometry (coordinates rounded)."""
    rows = conn.execute(
        text(
            f"""
        WITH sel AS ({FILTERED_SQL})
        SELECT i.id, i.code, i.name, i.status, money.total_clp, s.position AS strategy_position,
               ST_AsGeoJSON(i.geom, :decimals) AS geometry
          FROM sel JOIN initiative i ON i.id = sel.id JOIN strategy s ON s.id = i.strategy_id
          {MONEY_JOIN}
         WHERE i.geom IS NOT NULL
         ORDER BY i.id
        """
        ),
        {**filter_params(f), "decimals": decimals},
    ).all()
    features = [
        {
            "type": "Feature",
            "geometry": json.loads(r.geometry),
            # Only what the map uses: the click (layer, id), the colour (pos), the tooltip.
            "properties": {
                "layer": "iniciativa",
                "id": r.id,
                "codigo": r.code,
                "nombre": r.name,
                "estado": status_label(r.status),
                "monto": money(r.total_clp),
                "pos": r.strategy_position,
            },
        }
        for r in rows
    ]
    return {"type": "FeatureCollection", "features": features}


def initiative_detail(conn: Connection, initiative_id: int) -> dict[str, Any] | None:
    """Everything the detail panel shows for one initiative."""
    row = (
        conn.execute(
            text(
                f"""
        SELECT i.*, s.code AS strategy_code, s.name AS strategy_name, p.code AS plan_code,
               p.name AS plan_name, g.name AS program_name, money.total_clp, money.sources
          FROM initiative i JOIN strategy s ON s.id = i.strategy_id
          LEFT JOIN plan p ON p.id = i.plan_id LEFT JOIN program g ON g.id = i.program_id
          {MONEY_JOIN}
         WHERE i.id = :id
        """
            ),
            {"id": initiative_id},
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    territories = (
        conn.execute(
            text(
                """
        SELECT t.kind, t.code, t.name, t.sector, t.geom IS NULL AS unlocated, it.link_method,
               it.weight
          FROM initiative_territory it JOIN territory t ON t.id = it.territory_id
         WHERE it.initiative_id = :id ORDER BY t.kind DESC, t.code
        """
            ),
            {"id": initiative_id},
        )
        .mappings()
        .all()
    )
    facilities = (
        conn.execute(
            text(
                """
        SELECT f.kind, f.name FROM initiative_facility x JOIN facility f ON f.id = x.facility_id
         WHERE x.initiative_id = :id ORDER BY f.kind, f.name
        """
            ),
            {"id": initiative_id},
        )
        .mappings()
        .all()
    )
    return {
        **dict(row),
        "scope_label": SCOPES.get(row["scope"], row["scope"]),
        "territories": [dict(t) for t in territories],
        "facilities": [dict(x) for x in facilities],
    }


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
    rows = (
        conn.execute(
            text(
                """
        SELECT i.code, i.name, i.scope FROM initiative i
         WHERE NOT EXISTS (SELECT 1 FROM initiative_territory it WHERE it.initiative_id = i.id)
           AND i.geom IS NULL AND i.archived_at IS NULL
         ORDER BY i.scope DESC, i.code
        """
            )
        )
        .mappings()
        .all()
    )
    sites = (
        conn.execute(
            text(
                """
        SELECT t.kind, t.code, t.name, t.source,
               (SELECT count(*) FROM initiative_territory it WHERE it.territory_id = t.id) AS n
          FROM territory t WHERE t.geom IS NULL ORDER BY t.name
        """
            )
        )
        .mappings()
        .all()
    )
    demo = conn.execute(
        text("SELECT count(*) FROM initiative WHERE is_demo AND archived_at IS NULL")
    ).scalar_one()
    return QualityReport(
        without_territory=[dict(r) for r in rows],
        localized_without_territory=sum(1 for r in rows if r["scope"] == "localizada"),
        commune_wide=sum(1 for r in rows if r["scope"] == "comunal"),
        outside_commune=sum(1 for r in rows if r["scope"] == "fuera_comuna"),
        unlocated_sites=[dict(s) for s in sites],
        demo_initiatives=demo,
    )
