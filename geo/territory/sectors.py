"""Urban or rural: the sector of a territory is computed from the urban limit, never typed."""

from __future__ import annotations

import logging

from sqlalchemy import Connection, text

log = logging.getLogger(__name__)


def compute_sectors(conn: Connection) -> None:
    """Set each located UV/locality's sector from its overlap with the urban limit.

    A territory is urban when at least half of its area (measured on the geography) lies
    inside the urban limit; a point is urban when it falls inside. The share is kept in
    ``attrs.urban_share`` so a planner can see why.
    """
    conn.execute(
        text(
            """
            WITH urban AS (SELECT ST_Union(geom) AS geom FROM boundary WHERE kind = 'limite_urbano'),
            share AS (
                SELECT t.id,
                       CASE WHEN ST_Dimension(t.geom) = 2 THEN
                            ST_Area(ST_Intersection(t.geom, u.geom)::geography)
                            / NULLIF(ST_Area(t.geom::geography), 0)
                       ELSE CASE WHEN ST_Intersects(t.geom, u.geom) THEN 1.0 ELSE 0.0 END
                       END AS urban_share
                  FROM territory t CROSS JOIN urban u
                 WHERE t.geom IS NOT NULL AND u.geom IS NOT NULL
                   AND t.kind IN ('unidad_vecinal', 'localidad', 'sitio')
            )
            UPDATE territory t
               SET sector = CASE WHEN s.urban_share >= 0.5 THEN 'urbano' ELSE 'rural' END,
                   attrs = t.attrs || jsonb_build_object('urban_share', round(s.urban_share::numeric, 4))
              FROM share s
             WHERE s.id = t.id
               AND (t.sector, t.attrs->'urban_share') IS DISTINCT FROM
                   (CASE WHEN s.urban_share >= 0.5 THEN 'urbano' ELSE 'rural' END,
                    to_jsonb(round(s.urban_share::numeric, 4)))
            """
        )
    )
