"""The counts a planner checks after a load (``sit stats``)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Connection, text

log = logging.getLogger(__name__)


def _pairs(conn: Connection, sql: str) -> dict[str, int]:
    return {str(k): int(v) for k, v in conn.execute(text(sql)).all()}


def collect_stats(conn: Connection) -> dict[str, Any]:
    """Return counts of territories, catalogue and initiatives as a JSON-ready dict.

    Archived initiatives are counted apart (``initiatives.archived``), never in the other counts.
    """
    territories = {
        kind: {"total": int(total), "sin_geometria": int(missing)}
        for kind, total, missing in conn.execute(
            text(
                """
            SELECT kind, count(*), count(*) FILTER (WHERE geom IS NULL)
              FROM territory GROUP BY kind ORDER BY kind
            """
            )
        ).all()
    }
    one = conn.execute(
        text(
            """
        WITH live AS (SELECT * FROM initiative WHERE archived_at IS NULL)
        SELECT (SELECT count(*) FROM strategy) AS strategies,
               (SELECT count(*) FROM plan) AS plans,
               (SELECT count(*) FROM program) AS programs,
               (SELECT count(*) FROM live) AS initiatives,
               (SELECT count(*) FROM live i WHERE EXISTS
                    (SELECT 1 FROM initiative_territory it WHERE it.initiative_id = i.id))
                   AS linked,
               (SELECT count(*) FROM live WHERE scope = 'comunal') AS commune_wide,
               (SELECT count(*) FROM live WHERE scope = 'fuera_comuna') AS outside,
               (SELECT count(*) FROM live WHERE geom IS NOT NULL) AS with_geometry,
               (SELECT count(*) FROM live WHERE is_demo) AS demo,
               (SELECT count(*) FROM initiative WHERE archived_at IS NOT NULL) AS archived
        """
        )
    ).one()
    return {
        "territories": territories,
        "strategies": one.strategies,
        "plans": one.plans,
        "programs": one.programs,
        "initiatives": {
            "total": one.initiatives,
            "by_kind": _pairs(
                conn,
                "SELECT kind, count(*) FROM initiative WHERE archived_at IS NULL GROUP BY kind ORDER BY kind",
            ),
            "by_status": _pairs(
                conn,
                "SELECT status, count(*) FROM initiative WHERE archived_at IS NULL "
                "GROUP BY status ORDER BY status",
            ),
            "linked_to_territory": one.linked,
            "commune_wide": one.commune_wide,
            "outside_commune": one.outside,
            "with_geometry": one.with_geometry,
            "demo": one.demo,
            "archived": one.archived,
        },
        "demo_initiatives": one.demo,
        "facilities": _pairs(conn, "SELECT kind, count(*) FROM facility GROUP BY kind ORDER BY kind"),
        "reference": _pairs(
            conn, "SELECT layer, count(*) FROM reference_feature GROUP BY layer ORDER BY layer"
        ),
    }
