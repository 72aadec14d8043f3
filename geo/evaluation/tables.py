"""The evaluation as tables a person reads: the page's tables and the report's xlsx annex.

Texts in Spanish; a percentage without data says so ("sin datos", "sin montos informados"),
never 0 %; amounts stay numbers in the annex (Excel sums them) and are formatted on screen.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import pandas as pd
from pandas.io.formats.style import Styler

from geo.domain import FIELD_LABELS, PROGRESS_SOURCES, STATUSES, format_int, status_label
from geo.evaluation.cuts import OUTCOMES
from geo.evaluation.rollup import EXCLUSIONS
from geo.investment.labels import NO_AMOUNTS, money
from geo.sheets.cells import tables_xlsx

log = logging.getLogger(__name__)

NO_PROGRESS = "sin datos"
#: The initiatives table's progress column (the field's label): a number (0-100) or empty.
PROGRESS_COLUMN = FIELD_LABELS["progress_pct"]


def pct(value: float | None, unknown: str = NO_PROGRESS) -> str:
    """``56,7 %`` or ``unknown``."""
    return unknown if value is None else f"{value:.1f} %".replace(".", ",")


def excluded_text(row: dict[str, Any]) -> str:
    """``3 excluidas (2 sin información, 1 suspendidas)`` or ``ninguna``."""
    if not row["excluded_total"]:
        return "ninguna"
    parts = ", ".join(f"{n} {EXCLUSIONS[k]}" for k, n in row["excluded"].items())
    return f"{format_int(row['excluded_total'])} excluidas ({parts})"


def group_table(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Strategies, plans or programs with their roll-up, formatted for the screen."""
    return pd.DataFrame(
        [
            {
                "Código": r["code"],
                "Nombre": r["name"],
                "Iniciativas": r["total"],
                "Avance físico": pct(r["physical_pct"]),
                "Avance financiero": pct(r["financial_pct"], NO_AMOUNTS),
                "Programado": money(r["planned_clp"]),
                "Ejecutado": money(r["executed_clp"]) if r["planned_clp"] is not None else NO_AMOUNTS,
                "Incluidas": r["included"],
                "Excluidas": excluded_text(r),
            }
            for r in rows
        ],
        columns=[
            "Código",
            "Nombre",
            "Iniciativas",
            "Avance físico",
            "Avance financiero",
            "Programado",
            "Ejecutado",
            "Incluidas",
            "Excluidas",
        ],
    )


def status_counts(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Long table (Estrategia, Estado, Iniciativas) for the status bars, statuses in order."""
    return pd.DataFrame(
        [
            {
                "Estrategia": r["code"],
                "Estado": STATUSES[s],
                "orden": i,
                "Iniciativas": r["by_status"].get(s, 0),
            }
            for r in rows
            for i, s in enumerate(STATUSES)
            if r["by_status"].get(s)
        ],
        columns=["Estrategia", "Estado", "orden", "Iniciativas"],
    )


def initiatives_table(initiatives: Sequence[dict[str, Any]], *, numbers: bool = False) -> pd.DataFrame:
    """Every initiative with its status, effective progress and money (``numbers``: raw amounts)."""

    def amount(v: int | None) -> Any:
        return v if numbers else money(v)

    return pd.DataFrame(
        [
            {
                "Código": i["code"],
                "Nombre": i["name"],
                "Estrategia": i["strategy"],
                "Plan": i["plan"] or "",
                "Programa": i["program"] or "",
                "Estado": status_label(i["status"]),
                PROGRESS_COLUMN: i["progress_pct"],
                "Origen del avance": PROGRESS_SOURCES.get(i["progress_source"] or "", NO_PROGRESS),
                "Suspendida": "sí" if i["suspended"] else "no",
                "Archivada": "sí" if i["archived"] else "no",
                "Programado (CLP)": amount(i["planned_clp"]),
                "Ejecutado (CLP)": amount(i["executed_clp"]),
                "Demostración": "sí" if i["is_demo"] else "no",
            }
            for i in initiatives
        ]
    )


def initiatives_view(initiatives: Sequence[dict[str, Any]]) -> Styler:
    """:func:`initiatives_table` for the screen, progress as ``60,0 %`` or «sin datos».

    The progress stays a number underneath, so the column sorts as one; only what is shown
    changes (never an empty cell or ``None``).
    """

    def shown(v: Any) -> str:
        return pct(None if pd.isna(v) else float(v))

    table = initiatives_table(initiatives)
    if PROGRESS_COLUMN not in table.columns:  # no initiatives: no columns
        return table.style
    return table.style.format(shown, subset=[PROGRESS_COLUMN])


def sector_table(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Initiatives and money by sector."""
    return pd.DataFrame(
        [
            {
                "Sector": r["label"],
                "Iniciativas": r["initiatives"],
                "Programado": money(r["planned_clp"]),
                "Ejecutado": money(r["executed_clp"]),
            }
            for r in rows
        ]
    )


def territory_table(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Each UV: initiatives, money, share of the UVs' money against its share of their people."""
    return pd.DataFrame(
        [
            {
                "UV": f"UV {r['code']} {r['name']}",
                "Sector": (r["sector"] or "").capitalize(),
                "Iniciativas": r["initiatives"],
                "Programado": money(r["planned_clp"]),
                "% de la inversión en UV": pct(r["investment_share_pct"], NO_AMOUNTS),
                "Población": "sin población informada"
                if r["population"] is None
                else format_int(r["population"]),
                "% de la población": pct(r["population_share_pct"], "sin población informada"),
            }
            for r in rows
        ]
    )


def social_table(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Per strategy: UVs reached, their population, children (0-14) and elderly (65+)."""

    def n(v: int | None) -> str:
        return "sin datos" if v is None else format_int(v)

    return pd.DataFrame(
        [
            {
                "Estrategia": f"{r['strategy']} {r['name']}",
                "Iniciativas": r["initiatives"],
                "UV alcanzadas": r["territories_reached"],
                "Población": n(r["population"]),
                "Niños (0 a 14)": n(r["children"]),
                "Personas mayores (65 y más)": n(r["elderly"]),
                "Comunales (toda la comuna)": r["commune_wide"],
            }
            for r in rows
        ]
    )


def comparison_table(initiatives: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """What happened to each initiative between two cuts."""
    return pd.DataFrame(
        [
            {
                "Código": r["code"],
                "Nombre": r["name"],
                "Resultado": OUTCOMES[r["outcome"]],
                "Reformulada": ", ".join(r["rescoped"]) or "no",
                "Estado antes": status_label(r["status_a"]) if r["status_a"] else "—",
                "Estado después": status_label(r["status_b"]) if r["status_b"] else "—",
                "Avance antes": pct(r["progress_a"]),
                "Avance después": pct(r["progress_b"]),
            }
            for r in initiatives
        ]
    )


def annex_xlsx(data: dict[str, Any]) -> bytes:
    """The report's annex: every initiative (amounts as numbers), strategies and plans."""
    plans = [{**p, "name": p["name"]} for s in data["strategies"] for p in s["plans"]]
    return tables_xlsx(
        {
            "Iniciativas": initiatives_table(data["initiatives"], numbers=True),
            "Estrategias": group_table(data["strategies"]),
            "Planes": group_table(plans),
        }
    )
