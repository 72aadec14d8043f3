"""«Informe de avance del PLADECO» (issue 13): the PDF of a closed evaluation cut and its annex.

What the law asks the Cuenta Pública to state (Ley 18.695, art. 67): the PLADECO's actions,
the progress of its programmes, and the investment in finished and ongoing projects with
their funding sources. Every figure comes from :func:`geo.evaluation.report.evaluation` of
the cut (the same as ``sit evaluation --json --cut ID`` and the page), formatted by
:mod:`geo.evaluation.tables`; the PDF is typst (:mod:`geo.reports.render`: data only as
JSON), the annex an xlsx of every initiative (:func:`geo.evaluation.tables.annex_xlsx`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection

from geo.domain import FUNDING_LINE_SOURCES, STATUSES, format_datetime, format_int
from geo.evaluation.progress import progress_table
from geo.evaluation.report import RULES, evaluation
from geo.evaluation.snapshot import cut_states
from geo.evaluation.tables import (
    annex_xlsx,
    excluded_text,
    group_table,
    pct,
    sector_table,
    social_table,
    territory_table,
)
from geo.evaluation.territorial import SCOPE_NOTE
from geo.investment.labels import NO_AMOUNTS, money
from geo.reports.render import render_pdf

log = logging.getLogger(__name__)

TITLE = "Informe de avance del PLADECO"


def _rows(df: pd.DataFrame) -> dict[str, Any]:
    """A table as the template takes it: header and rows of texts."""
    return {
        "header": [str(c) for c in df.columns],
        "rows": [[str(v) for v in r] for r in df.itertuples(index=False)],
    }


def _investment_rows(rows: list[dict[str, Any]]) -> list[list[str]]:
    return [
        [
            f"{r['code']} {r['name']}",
            STATUSES[r["status"]],
            money(r["planned_clp"]),
            money(r["executed_clp"]) if r["planned_clp"] is not None else NO_AMOUNTS,
            "; ".join(f"{name}: {money(amount)}" for name, amount in r["sources"].items()) or NO_AMOUNTS,
        ]
        for r in rows
    ]


def avance_data(conn: Connection, cut_id: int, now: datetime) -> dict[str, Any]:
    """Everything the report prints, as JSON-ready texts (the cut must be closed)."""
    cut_states(conn, cut_id)  # refuses, in Spanish, a cut that does not exist or is a draft
    data = evaluation(conn, cut_id).as_json()
    total = data["summary"]
    source = data["source"]
    closed = f"Cerrado por {source['closed_by']}" if source["closed_by"] else ""
    strategies = [
        {
            "title": f"{s['code']} · {s['name']}",
            "figures": [
                ["Iniciativas", format_int(s["total"])],
                ["Avance físico", pct(s["physical_pct"])],
                ["Avance financiero", pct(s["financial_pct"], NO_AMOUNTS)],
                ["Programado", money(s["planned_clp"])],
                ["Ejecutado", money(s["executed_clp"]) if s["planned_clp"] is not None else NO_AMOUNTS],
                ["Fuera de los porcentajes", excluded_text(s)],
            ],
            "statuses": ", ".join(f"{STATUSES[k]}: {n}" for k, n in s["by_status"].items()) or "ninguna",
            "plans": _rows(group_table(s["plans"])),
        }
        for s in data["strategies"]
    ]
    finished = [r for r in data["investment"] if r["status"] == "terminado"]
    ongoing = [r for r in data["investment"] if r["status"] == "en_ejecucion"]
    return {
        "title": TITLE,
        "subtitle": source["label"],
        "closed": closed,
        "note": source["note"] or "",
        "demo": (
            "Este corte incluye datos de demostración: iniciativas sintéticas (DEMO-…), no del PLADECO."
            if source["with_demo"]
            else ""
        ),
        "generated": f"Generado el {format_datetime(now)}",
        "summary": [
            ["Avance físico del PLADECO", pct(total["physical_pct"])],
            ["Avance financiero", pct(total["financial_pct"], NO_AMOUNTS)],
            ["Inversión programada", money(total["planned_clp"])],
            [
                "Inversión ejecutada",
                money(total["executed_clp"]) if total["planned_clp"] is not None else NO_AMOUNTS,
            ],
            ["Iniciativas incluidas", f"{format_int(total['included'])} de {format_int(total['total'])}"],
            ["Fuera de los porcentajes", excluded_text(total)],
        ],
        "no_status": total["included"] == 0,
        "rules": list(RULES),
        "progress_table": [[s, p] for s, p in progress_table()],
        "strategy_table": _rows(group_table(data["strategies"])),
        "strategies": strategies,
        "territorial_note": SCOPE_NOTE,
        "sectors": _rows(sector_table(data["territorial"]["by_sector"])),
        "territories": _rows(territory_table(data["territorial"]["by_territory"])),
        "social": _rows(social_table(data["social"]["strategies"])),
        "social_notes": data["social"]["notes"],
        "finished": _investment_rows(finished),
        "ongoing": _investment_rows(ongoing),
        "sources": ", ".join(FUNDING_LINE_SOURCES.values()),
        "n_initiatives": format_int(len(data["initiatives"])),
    }


def avance_pdf(conn: Connection, cut_id: int, now: datetime | None = None) -> bytes:
    """The PDF of the report of closed cut ``cut_id``."""
    return render_pdf("avance.typ", avance_data(conn, cut_id, now or datetime.now(UTC)))


def avance_annex(conn: Connection, cut_id: int) -> bytes:
    """The xlsx annex: every initiative of the cut (amounts as numbers), strategies and plans."""
    cut_states(conn, cut_id)
    return annex_xlsx(evaluation(conn, cut_id).as_json())
