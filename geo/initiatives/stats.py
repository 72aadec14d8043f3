"""The counts a planner checks after a load (``sit stats``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text


def _pairs(conn: Connection, sql: str) -> dict[str, int]:
    return {str(k): int(v) for k, v in conn.execute(text(sql)).all()}


def collect_stats(conn: Connection) -> dict[str, Any]:
    """Return counts of territories, catalogue and initiatives as a JSON-ready dict."""
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
        SELECT (SELECT count(*) FROM strategy) AS strategies,
               (SELECT count(*) FROM plan) AS plans,
               (SELECT count(*) FROM program) AS programs,
               (SELECT count(*) FROM initiative) AS initiatives,
               (SELECT count(*) FROM initiative i WHERE EXISTS
                    (SELECT 1 FROM initiative_territory it WHERE it.initiative_id = i.id))
                   AS linked,
               (SELECT count(*) FROM initiative WHERE scope = 'comunal') AS commune_wide,
               (SELECT count(*) FROM initiative WHERE scope = 'fuera_comuna') AS outside,
               (SELECT count(*) FROM initiative WHERE geom IS NOT NULL) AS with_geometry,
               (SELECT count(*) FROM initiative WHERE is_demo) AS demo
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
            "by_kind": _pairs(conn, "SELECT kind, count(*) FROM initiative GROUP BY kind ORDER BY kind"),
            "by_status": _pairs(
                conn, "SELECT status, count(*) FROM initiative GROUP BY status ORDER BY status"
            ),
            "linked_to_territory": one.linked,
            "commune_wide": one.commune_wide,
            "outside_commune": one.outside,
            "with_geometry": one.with_geometry,
            "demo": one.demo,
        },
        "demo_initiatives": one.demo,
        "facilities": _pairs(conn, "SELECT kind, count(*) FROM facility GROUP BY kind ORDER BY kind"),
    }
