"""The acta of a workshop: what happened, what residents said, and what the plan answers.

One PDF (A4): the workshop (date, place, facilitator, territories, state), attendance (total,
by sex and by age group only where counted: an unknown count says «sin información», never
0), the organisations present, the accepted needs by kind and strategy, the map of the
workshop's territory with the needs drawn on the kit's grid (so an acta and its paper kit
name the same cells), every need with the initiatives confirmed to answer it (or «sin
respuesta del plan»), the summary of the territories across workshops
(:func:`geo.workshops.plan.territory_needs_summary`), and the closing report.

Reads :mod:`geo.workshops.queries` and :mod:`geo.workshops.plan` (the page's figures); the
map comes from :mod:`geo.reports.kit` / :mod:`geo.reports.map_svg`, the PDF from
:mod:`geo.reports.render` (data only as JSON).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import shapely
from sqlalchemy import Connection

from geo.domain import (
    ATTENDANCE_AGES,
    ATTENDANCE_SEXES,
    NEED_KINDS,
    NEED_ORIGINS,
    OTHER_STRATEGY,
    WORKSHOP_STATES,
    format_datetime,
    format_int,
)
from geo.errors import DataError
from geo.reports.kit import kit_initiatives, kit_territory, map_parts, sheet_label, territory_grid
from geo.reports.render import render_pdf
from geo.workshops.grid import cell_of_point, to_utm
from geo.workshops.plan import territory_needs_summary
from geo.workshops.queries import workshop_detail, workshop_needs

log = logging.getLogger(__name__)

UNKNOWN = "sin información"
TEXT_CHARS = 220


def _count(value: Any) -> str:
    return UNKNOWN if value is None else format_int(int(value))


def _attendance(detail: dict[str, Any]) -> dict[str, Any]:
    counts = detail.get("attendance") or {}
    if isinstance(counts, str):
        counts = json.loads(counts)

    def group(labels: dict[str, str]) -> list[dict[str, str]]:
        return [{"label": label, "value": _count(counts.get(key))} for key, label in labels.items()]

    return {
        "total": _count(detail.get("attendance_total")),
        "by_sex": group(ATTENDANCE_SEXES),
        "by_age": group(ATTENDANCE_AGES),
        "known": bool(counts),
    }


def _short(value: str, limit: int = TEXT_CHARS) -> str:
    value = " ".join(str(value).split())
    return value if len(value) <= limit else value[: limit - 1].rsplit(" ", 1)[0] + "…"


def _strategy_label(need: dict[str, Any]) -> str:
    code = need.get("strategy_code")
    return f"{code} · {need.get('strategy_name')}" if code else OTHER_STRATEGY


def acta_data(conn: Connection, workshop_id: int, now: datetime) -> dict[str, Any]:
    """Everything the acta prints, as JSON-ready texts."""
    detail = workshop_detail(conn, workshop_id)
    if detail is None:
        raise DataError(f"No existe el taller {workshop_id} (vea «sit taller list»).")
    needs = [n for n in workshop_needs(conn, workshop_id) if n["state"] == "aceptada"]
    pending = sum(1 for n in workshop_needs(conn, workshop_id) if n["state"] == "pendiente")
    # the map: the first territory's kit grid, the needs drawn on it, each need's cell named
    maps, cells = [], {}
    for tid in detail["territory_ids"]:
        t = kit_territory(conn, int(tid))
        grid = territory_grid(conn, t.id)
        drawn = [(n["kind"], shapely.to_wkb(shapely.geometry.shape(n["geometry"]))) for n in needs]
        svg, legend = map_parts(conn, t, grid, kit_initiatives(conn, t.id), needs=drawn)
        maps.append({"title": t.label, "sheet": sheet_label(t), "svg": svg, "legend": legend})
        for n in needs:
            if n["id"] in cells:
                continue
            p = to_utm(shapely.geometry.shape(n["geometry"]).representative_point())
            x, y = shapely.get_coordinates(p)[0]
            cell = cell_of_point(grid, float(x), float(y))
            if cell:
                cells[n["id"]] = f"{sheet_label(t)} {cell}"
    kinds = list(NEED_KINDS)
    by_strategy: dict[str, dict[str, int]] = {}
    for n in needs:
        row = by_strategy.setdefault(_strategy_label(n), dict.fromkeys(kinds, 0))
        row[n["kind"]] += 1
    answered = sum(1 for n in needs if n["initiatives"])
    summary = territory_needs_summary(conn, [int(t) for t in detail["territory_ids"]])
    return {
        "title": f"Acta del taller {workshop_id}",
        "subtitle": f"{detail['held_on']:%d-%m-%Y} · {detail['place']}",
        "state": WORKSHOP_STATES.get(detail["state"], detail["state"]),
        "facilitator": detail.get("facilitator") or UNKNOWN,
        "territories": ", ".join(detail["territories"]) or UNKNOWN,
        "attendance": _attendance(detail),
        "organisations": [o.strip() for o in (detail.get("organisations") or "").splitlines() if o.strip()],
        "kinds": [NEED_KINDS[k] for k in kinds],
        "by_strategy": [
            {"strategy": s, "counts": [str(c[k]) for k in kinds], "total": str(sum(c.values()))}
            for s, c in sorted(by_strategy.items(), key=lambda kv: (kv[0] == OTHER_STRATEGY, kv[0]))
        ],
        "totals": [str(sum(1 for n in needs if n["kind"] == k)) for k in kinds],
        "n_needs": format_int(len(needs)),
        "n_answered": format_int(answered),
        "n_unanswered": format_int(len(needs) - answered),
        "pending_note": (
            f"{format_int(pending)} necesidad(es) enviadas por teléfono siguen pendientes de revisión "
            "y no se cuentan."
            if pending
            else ""
        ),
        "maps": maps,
        "needs": [
            {
                "cell": cells.get(n["id"], ""),
                "kind": NEED_KINDS[n["kind"]],
                "strategy": n.get("strategy_code") or "Otra",
                "text": _short(n["text"]),
                "votes": format_int(n["votes"]),
                "origin": NEED_ORIGINS.get(n["origin"], n["origin"]),
                "answer": ", ".join(n["initiatives"]) if n["initiatives"] else "sin respuesta del plan",
            }
            for n in needs
        ],
        "territory_summary": [
            {
                "label": t.label,
                "total": format_int(t.total),
                "answered": format_int(t.answered),
                "unanswered": format_int(t.unanswered_count),
            }
            for t in summary
        ],
        "closing_report": detail.get("closing_report") or "",
        "generated": f"Generado el {format_datetime(now)}",
    }


def acta_pdf(conn: Connection, workshop_id: int, now: datetime | None = None) -> bytes:
    """The acta of a workshop as a PDF."""
    return render_pdf("acta.typ", acta_data(conn, workshop_id, now or datetime.now(UTC)))
