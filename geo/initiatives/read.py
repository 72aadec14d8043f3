"""Read side of the initiative editor: one initiative as form input, its histories."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import Connection, text

from geo.activity.labels import shown_value
from geo.domain import field_label, format_datetime
from geo.initiatives.form import InitiativeInput
from geo.initiatives.funding import FundingLineInput
from geo.store.audit import author, history
from geo.store.funding import stored_lines

log = logging.getLogger(__name__)


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
        responsible_unit=r["responsible_unit"],
        bip_code=r["bip_code"],
        bip_stage=r["bip_stage"],
        technical_result=r["technical_result"],
        funding=tuple(
            FundingLineInput(ln.source, ln.source_detail, ln.year, ln.amount_clp, ln.stage)
            for ln in stored_lines(conn, [initiative_id])[initiative_id]
        ),
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
        "archived_at": r["archived_at"],
        "geometry": json.loads(r["geojson"]) if r["geojson"] else None,
        "geometry_links": [
            ("UV " + x["code"] + " · " if x["kind"] == "unidad_vecinal" else "") + x["name"]
            for x in links
            if x["link_method"] == "geometria"
        ],
    }


def status_history(conn: Connection, initiative_id: int, show_names: bool = True) -> list[dict[str, Any]]:
    """Status changes of an initiative, newest first; ``by`` names the account (see ``author``).

    ``show_names`` False (the public) names no person: ``by`` says whether it was an account
    and the typed ``changed_by_name`` is left out.
    """
    rows = conn.execute(
        text(
            """
        SELECT h.changed_at, h.changed_by_name, h.from_status, h.to_status, h.comment,
               u.username, u.full_name, h.changed_by_id, a.via
          FROM status_history h LEFT JOIN app_user u ON u.id = h.changed_by_id
          -- The audit row of the same change (same transaction, so the same now()) says
          -- how it arrived: the console's OS user is not a name typed on a page.
          LEFT JOIN LATERAL (
                SELECT details->>'via' AS via FROM audit_log
                 WHERE table_name = 'initiative' AND row_id = h.initiative_id::text
                   AND at = h.changed_at
                 ORDER BY id LIMIT 1) a ON true
         WHERE h.initiative_id = :i ORDER BY h.changed_at DESC, h.id DESC
        """
        ),
        {"i": initiative_id},
    ).mappings()
    return [
        {
            **{k: r[k] for k in ("changed_at", "from_status", "to_status", "comment")},
            "changed_by_name": r["changed_by_name"] if show_names else None,
            "by": author(
                r["changed_by_id"], r["full_name"], r["username"], r["changed_by_name"], r["via"], show_names
            ),
        }
        for r in rows
    ]


#: Spanish names of the actions in an initiative's change history.
ACTIONS = {
    "crear_iniciativa": "Creada",
    "editar_iniciativa": "Editada",
    "archivar_iniciativa": "Archivada",
    "restaurar_iniciativa": "Restaurada",
}


def change_history(conn: Connection, initiative_id: int, show_names: bool = True) -> list[dict[str, Any]]:
    """Every change of an initiative, newest first: when, who (the account), how, each field before -> after.

    ``show_names`` False (the public) names no person (:func:`geo.store.audit.author`).
    """
    out = []
    for h in history(conn, "initiative", initiative_id, show_names):
        lines = [
            f"{field_label(f)}: {shown_value(f, pair[0])} → {shown_value(f, pair[1])}"
            for f, pair in h["changes"].items()
            if isinstance(pair, list) and len(pair) == 2
        ]
        if reason := h["details"].get("motivo"):
            lines.append(f"Motivo: {reason}")
        if h["details"].get("archivo"):
            lines.append(f"Desde la planilla {h['details']['archivo']}, fila {h['details'].get('fila')}")
        out.append(
            {
                "at": h["at"],
                "when": format_datetime(h["at"]),
                "by": h["by"],
                "account": h["account"],
                "via": h["via"],
                "action": ACTIONS.get(h["action"], h["action"]),
                "lines": lines,
            }
        )
    return out
