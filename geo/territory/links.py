"""Links between initiatives and territories: the shared rules of how they are made.

Three methods (``geo.domain.LINK_METHODS``): from the initiative's geometry (recomputed,
never edited by hand), from a place name (catalogue, spreadsheet) and by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import Connection, text

from geo.territory.gazetteer import Place

log = logging.getLogger(__name__)


def link_by_geometry(
    conn: Connection, demo_only: bool = False, initiative_ids: Sequence[int] | None = None
) -> int:
    """Recompute geometry links (ST_Intersects with UVs and localities); keep other links.

    An initiative's footprint is its own geometry or, when it has none, the located sites
    it is linked to by name or by hand (a site placed on the map thus links its initiatives
    to the UVs and localities it touches). Each initiative's weight is split equally between
    the territories its footprint touches. Links made by hand or from a place name are
    never removed; a territory already linked that way keeps that link.

    Args:
        conn: Connection inside the caller's transaction.
        demo_only: Only demo initiatives (the demo generator).
        initiative_ids: Only these initiatives (an edit); None means every initiative.

    Returns:
        How many geometry links were written.
    """
    where = "AND i.is_demo" if demo_only else ""
    params: dict = {}
    if initiative_ids is not None:
        where += " AND i.id = ANY(:ids)"
        params["ids"] = list(initiative_ids)
    conn.execute(
        text(
            f"""
        DELETE FROM initiative_territory it USING initiative i
         WHERE it.initiative_id = i.id AND it.link_method = 'geometria' {where}
        """
        ),
        params,
    )
    return conn.execute(
        text(
            f"""
        WITH footprint AS (
            SELECT i.id, i.geom FROM initiative i WHERE i.geom IS NOT NULL {where}
            UNION ALL
            SELECT i.id, s.geom
              FROM initiative i
              JOIN initiative_territory l ON l.initiative_id = i.id AND l.link_method <> 'geometria'
              JOIN territory s ON s.id = l.territory_id AND s.kind = 'sitio' AND s.geom IS NOT NULL
             WHERE i.geom IS NULL {where}
        ), touched AS (
            SELECT DISTINCT f.id AS initiative_id, t.id AS territory_id
              FROM footprint f
              JOIN territory t ON t.geom IS NOT NULL AND ST_Intersects(t.geom, f.geom)
             WHERE t.kind IN ('unidad_vecinal', 'localidad')
        )
        INSERT INTO initiative_territory (initiative_id, territory_id, link_method, weight)
        SELECT initiative_id, territory_id, 'geometria',
               round(1.0 / count(*) OVER (PARTITION BY initiative_id), 6)
          FROM touched
        ON CONFLICT (initiative_id, territory_id) DO NOTHING
        """
        ),
        params,
    ).rowcount


def facility_uvs(conn: Connection) -> dict[int, list[int]]:
    """The UVs that contain each facility (a facility named in a row also links its UV)."""
    out: dict[int, list[int]] = {}
    for r in conn.execute(
        text(
            """
            SELECT f.id AS fid, t.id AS tid FROM facility f JOIN territory t
              ON t.kind = 'unidad_vecinal' AND f.geom IS NOT NULL AND ST_Intersects(t.geom, f.geom)
            """
        )
    ):
        out.setdefault(r.fid, []).append(r.tid)
    return out


def place_sets(
    places: Sequence[tuple[str, Place]], fac_uvs: dict[int, list[int]]
) -> tuple[set[int], set[int]]:
    """Territory and facility ids that a list of ``(written name, place)`` pairs links."""
    terr: set[int] = set()
    fac: set[int] = set()
    for _, p in places:
        if p.target == "facility":
            fac.add(p.id)
            terr.update(fac_uvs.get(p.id, []))
        else:
            terr.add(p.id)
    return terr, fac
