"""Read side of the initiative editor: catalogue choices, one initiative, its history."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text

from geo.store.initiatives import InitiativeInput


def load_initiative(conn: Connection, initiative_id: int) -> dict[str, Any] | None:
    """The stored initiative as form input, with its version, geometry and geometry links."""
    r = (
        conn.execute(
            text(
                """
        SELECT i.*, s.code AS strategy_code, p.code AS plan_code, g.code AS program_code,
               ST_AsGeoJSON(i.geom, 6) AS geojson
          FROM initiative i JOIN strategy s ON s.id = i.strategy_id
          LEFT JOIN plan p ON p.id = i.plan_id LEFT JOIN program g ON g.id = i.program_id
         WHERE i.id = :i
        """
            ),
            {"i": initiative_id},
        )
        .mappings()
        .first()
    )
    if r is None:
        return None
    links = (
        conn.execute(
            text(
                """
        SELECT it.territory_id, it.link_method, t.name, t.kind, t.code FROM initiative_territory it
          JOIN territory t ON t.id = it.territory_id
         WHERE it.initiative_id = :i ORDER BY t.kind DESC, t.code
        """
            ),
            {"i": initiative_id},
        )
        .mappings()
        .all()
    )
    inp = InitiativeInput(
        code=r["code"],
        name=r["name"],
        kind=r["kind"],
        strategy=r["strategy_code"],
        plan=r["plan_code"],
        program=r["program_code"],
        status=r["status"],
        scope=r["scope"],
        amount_clp=r["amount_clp"],
        funding_source=r["funding_source"],
        responsible_unit=r["responsible_unit"],
        bip_code=r["bip_code"],
        start_year=r["start_year"],
        end_year=r["end_year"],
        description=r["description"],
        place_note=r["place_note"],
        territories=tuple(x["territory_id"] for x in links if x["link_method"] != "geometria"),
    )
    return {
        "id": r["id"],
        "version": r["version"],
        "input": inp,
        "is_demo": r["is_demo"],
        "source": r["source"],
        "geometry": json.loads(r["geojson"]) if r["geojson"] else None,
        "geometry_links": [
            ("UV " + x["code"] + " · " if x["kind"] == "unidad_vecinal" else "") + x["name"]
            for x in links
            if x["link_method"] == "geometria"
        ],
    }


def status_history(conn: Connection, initiative_id: int) -> list[dict[str, Any]]:
    """Status changes of an initiative, newest first."""
    return [
        dict(r)
        for r in conn.execute(
            text(
                """
        SELECT changed_at, changed_by_name, from_status, to_status, comment FROM status_history
         WHERE initiative_id = :i ORDER BY changed_at DESC, id DESC
        """
            ),
            {"i": initiative_id},
        ).mappings()
    ]
