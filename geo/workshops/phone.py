"""What the phone participation page reads: the workshop's area and the places residents name.

Read-only (writes are :mod:`geo.store.participation`). A resident places a need with a tap on
a small map of the workshop's territories, or chooses a place by name: one of the workshop's
territories, or a named feature of the reference layers inside them (place names, SENAPRED
critical points, rural water systems, nurseries). A place chosen by name is stored as that
place's point (a territory's point on its surface): the resident said "here", by name.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import shapely
from shapely.geometry import Point
from sqlalchemy import Connection, text

from geo.values import parse_drawn_geometry

log = logging.getLogger(__name__)

#: Reference layers whose named features are offered as places.
PLACE_LAYERS = ("toponimo", "punto_critico", "apr", "vivero", "planta_aguas_servidas")


@dataclass(frozen=True)
class Place:
    """A place a resident may choose by name, with its point (EPSG:4326)."""

    label: str
    lon: float
    lat: float


def workshop_places(conn: Connection, workshop_id: int) -> list[Place]:
    """The workshop's territories, then the named reference features inside them (by name)."""
    out: list[Place] = []
    for r in conn.execute(
        text(
            """
        WITH area AS (
            SELECT t.id, t.kind, t.code, t.name, t.geom FROM workshop_territory wt
              JOIN territory t ON t.id = wt.territory_id
             WHERE wt.workshop_id = :w AND t.geom IS NOT NULL),
        places AS (
            SELECT 0 AS rank,
                   CASE WHEN kind = 'unidad_vecinal' THEN 'UV ' || code || ' · ' || name ELSE name END
                   || ' (en general)' AS label, ST_PointOnSurface(geom) AS p
              FROM area
            UNION ALL
            (SELECT DISTINCT ON (f.name) 1, f.name, ST_PointOnSurface(f.geom)
               FROM reference_feature f
              WHERE f.layer = ANY(:layers) AND f.name IS NOT NULL
                AND EXISTS (SELECT 1 FROM area a WHERE ST_Intersects(a.geom, f.geom))
              ORDER BY f.name, f.id))
        SELECT label, ST_X(p) AS lon, ST_Y(p) AS lat FROM places ORDER BY rank, label
        """
        ),
        {"w": workshop_id, "layers": list(PLACE_LAYERS)},
    ):
        out.append(Place(r.label, float(r.lon), float(r.lat)))
    return out


def workshop_area(conn: Connection, workshop_id: int) -> dict:
    """The workshop's territories as GeoJSON (EPSG:4326, simplified about 5 m), names in ``label``."""
    rows = conn.execute(
        text(
            """
        SELECT CASE WHEN t.kind = 'unidad_vecinal' THEN 'UV ' || t.code ELSE t.name END AS label,
               ST_AsGeoJSON(ST_SimplifyPreserveTopology(t.geom, 0.00005), 6) AS g
          FROM workshop_territory wt JOIN territory t ON t.id = wt.territory_id
         WHERE wt.workshop_id = :w AND t.geom IS NOT NULL
        """
        ),
        {"w": workshop_id},
    ).all()
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"label": r.label}, "geometry": json.loads(r.g)} for r in rows
        ],
    }


def point_wkb(lon: float, lat: float) -> bytes:
    """A tapped or chosen point as WKB (EPSG:4326), checked by the shared geometry parser."""
    geom = parse_drawn_geometry(Point(lon, lat))
    return shapely.to_wkb(geom)


@dataclass(frozen=True)
class ParticipationState:
    """Whether a workshop takes phone needs now, with which code, and how many wait in the queue."""

    workshop_open: bool
    participation_open: bool
    code: str | None
    pending: int


def participation_state(conn: Connection, workshop_id: int) -> ParticipationState | None:
    """The workshop's participation, or None when there is no such workshop."""
    row = conn.execute(
        text(
            """
        SELECT w.state, w.participation_open, w.participation_code,
               (SELECT count(*) FROM need n WHERE n.workshop_id = w.id AND n.state = 'pendiente'
                  AND n.merged_into_id IS NULL) AS pending
          FROM workshop w WHERE w.id = :w
        """
        ),
        {"w": workshop_id},
    ).first()
    if row is None:
        return None
    return ParticipationState(
        row.state == "abierto", bool(row.participation_open), row.participation_code, row.pending
    )
