"""One territory in focus: what the projector mode shows of a UV or rural locality (issue 12).

The territory's outline and bounds, its neighbours (for orientation), its population with
the source, and the plan's initiatives linked to it, numbered in one order (strategy, then
code) so that the number on the map and the one in the list beside it are the same.
Initiatives with a geometry get a point to carry their number (their own point, or a point
on the line or area); the others are listed without one. Read-only.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text

from geo.errors import DataError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FocusInitiative:
    """An initiative of the territory as the projector numbers it."""

    number: int
    id: int
    code: str
    name: str
    strategy_code: str
    strategy_position: int
    status: str
    is_demo: bool
    point: tuple[float, float] | None
    """(lon, lat) where its number goes; None when it has no geometry."""


@dataclass(frozen=True)
class TerritoryFocus:
    """A UV or locality with its neighbours and initiatives."""

    id: int
    kind: str
    code: str
    name: str
    label: str
    sector: str | None
    population: int | None
    population_source: str | None
    geometry: dict[str, Any]
    bounds: tuple[float, float, float, float]
    """(south, west, north, east)."""
    neighbours: dict[str, Any]
    """FeatureCollection of the other located UVs and localities (``nombre``, ``label``)."""
    initiatives: list[FocusInitiative] = field(default_factory=list)

    @property
    def located(self) -> list[FocusInitiative]:
        """The numbered initiatives that have a place on the map."""
        return [i for i in self.initiatives if i.point is not None]


def focus_label(kind: str, code: str, name: str) -> str:
    """«UV 05 · Carrera» or the locality's name."""
    return f"UV {code} · {name}" if kind == "unidad_vecinal" else name


def located_territories(conn: Connection) -> list[tuple[int, str, str]]:
    """(id, kind, label) of every located UV, then every located locality.

    The projector's choices and the order of the Ficha territorial's booklet.
    """
    rows = conn.execute(
        text(
            """
            SELECT id, kind, code, name FROM territory
             WHERE kind IN ('unidad_vecinal', 'localidad') AND geom IS NOT NULL
             ORDER BY kind DESC, code
            """
        )
    ).all()
    return [(r.id, r.kind, focus_label(r.kind, r.code, r.name)) for r in rows]


def territory_focus(
    conn: Connection, territory_id: int, *, include_demo: bool = False, decimals: int = 5
) -> TerritoryFocus:
    """The territory ``territory_id`` in focus.

    ``include_demo``: also the demonstration initiatives (the map pages' toggle). Archived
    initiatives are never shown.

    Raises:
        DataError: when it is not a located UV or locality.
    """
    t = conn.execute(
        text(
            """
            SELECT id, kind, code, name, sector, population, population_source,
                   ST_AsGeoJSON(geom, :d) AS g,
                   ST_YMin(geom) AS s, ST_XMin(geom) AS w, ST_YMax(geom) AS n, ST_XMax(geom) AS e
              FROM territory
             WHERE id = :id AND kind IN ('unidad_vecinal', 'localidad') AND geom IS NOT NULL
            """
        ),
        {"id": territory_id, "d": decimals},
    ).one_or_none()
    if t is None:
        raise DataError("Ese territorio no es una unidad vecinal ni una localidad rural ubicada.")
    neighbours = conn.execute(
        text(
            """
            SELECT id, kind, code, name, ST_AsGeoJSON(geom, :d) AS g,
                   ST_AsGeoJSON(ST_PointOnSurface(geom), :d) AS p
              FROM territory
             WHERE kind IN ('unidad_vecinal', 'localidad') AND geom IS NOT NULL AND id <> :id
             ORDER BY kind DESC, code
            """
        ),
        {"id": territory_id, "d": decimals},
    ).all()
    rows = conn.execute(
        text(
            """
            SELECT i.id, i.code, i.name, i.status, i.is_demo, s.code AS strategy_code,
                   s.position AS strategy_position,
                   ST_AsGeoJSON(CASE WHEN ST_Dimension(i.geom) = 0 THEN ST_GeometryN(i.geom, 1)
                                     ELSE ST_PointOnSurface(i.geom) END, :d) AS p
              FROM initiative_territory it
              JOIN initiative i ON i.id = it.initiative_id
              JOIN strategy s ON s.id = i.strategy_id
             WHERE it.territory_id = :id AND i.archived_at IS NULL AND (:demo OR NOT i.is_demo)
             ORDER BY s.position, i.code
            """
        ),
        {"id": territory_id, "d": decimals, "demo": include_demo},
    ).all()
    initiatives = []
    for n, r in enumerate(rows, start=1):
        point = tuple(json.loads(r.p)["coordinates"][:2]) if r.p else None
        initiatives.append(
            FocusInitiative(
                n, r.id, r.code, r.name, r.strategy_code, r.strategy_position, r.status, r.is_demo, point
            )
        )
    return TerritoryFocus(
        id=t.id,
        kind=t.kind,
        code=t.code,
        name=t.name,
        label=focus_label(t.kind, t.code, t.name),
        sector=t.sector,
        population=t.population,
        population_source=t.population_source,
        geometry=json.loads(t.g),
        bounds=(t.s, t.w, t.n, t.e),
        neighbours={
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": json.loads(r.g),
                    "properties": {
                        "id": r.id,
                        "layer": r.kind,
                        "nombre": r.name,
                        "label": focus_label(r.kind, r.code, r.name),
                        "punto": json.loads(r.p)["coordinates"],
                    },
                }
                for r in neighbours
            ],
        },
        initiatives=initiatives,
    )
