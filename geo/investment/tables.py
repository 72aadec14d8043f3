"""Investment tables for people: the ranking, a territory's initiatives, the .xlsx download.

``formatted=True`` gives es-CL texts for the screen (``$ 12.500.000``, "sin montos
informados"); ``False`` gives numbers for a spreadsheet, with the same text where no amount
is known (never a 0). Cells are neutralised by :mod:`geo.sheets.cells`.
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from geo.domain import format_int
from geo.investment import labels as L
from geo.investment.attribution import BREAKDOWNS, InvestmentReport, TerritoryInvestment, TerritoryRow
from geo.sheets.cells import tables_xlsx

log = logging.getLogger(__name__)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _amount(value: int | None, formatted: bool) -> Any:
    if value is None:
        return L.NO_AMOUNTS
    return L.money(value) if formatted else value


def _each(row: TerritoryRow, formatted: bool) -> Any:
    if formatted or row.per_inhabitant is None:
        return L.per_inhabitant(row.per_inhabitant, row.attributed_clp is not None)
    return round(row.per_inhabitant)


def rows_table(rows: list[TerritoryRow], formatted: bool = True) -> pd.DataFrame:
    """One line per row of the report: attributed, per inhabitant, initiatives, population."""
    return pd.DataFrame(
        {
            "Territorio": [r.label for r in rows],
            "Tipo": [L.ROW_KINDS[r.kind] + ("" if r.summed else " (no se suma)") for r in rows],
            "Inversión atribuida": [_amount(r.attributed_clp, formatted) for r in rows],
            "Por habitante": [_each(r, formatted) for r in rows],
            "Iniciativas": [r.n_initiatives for r in rows],
            "Con monto": [r.n_with_amounts for r in rows],
            L.TOUCHING_LABEL: [_amount(r.touching_clp, formatted) for r in rows],
            "Población": [
                (format_int(r.population) if formatted else r.population) if r.population is not None else ""
                for r in rows
            ],
            "Fuente de la población": [r.population_source or "" for r in rows],
        }
    )


def breakdown_table(report_or_detail: InvestmentReport | TerritoryInvestment, dim: str) -> pd.DataFrame:
    """One breakdown (``strategy``, ``source``, ``year``, ``stage``, ``status``) for the screen."""
    rows = report_or_detail.breakdowns.get(dim, [])
    return pd.DataFrame(
        {
            BREAKDOWNS[dim].removeprefix("Por ").capitalize(): [b.label for b in rows],
            "Inversión": [L.money(b.amount_clp) for b in rows],
            "Iniciativas": [b.n_initiatives for b in rows],
        }
    )


def initiatives_table(detail: TerritoryInvestment, formatted: bool = True) -> pd.DataFrame:
    """A territory's initiatives, largest attributed amount first."""
    items = detail.initiatives
    js = [i.as_json() for i in items]
    return pd.DataFrame(
        {
            "Código": [i.code for i in items],
            "Iniciativa": [i.name for i in items],
            "Monto": [_amount(i.amount_clp, formatted) for i in items],
            "Atribuido al territorio": [_amount(i.attributed_clp, formatted) for i in items],
            "Fuente": [j["sources"] for j in js],
            "Etapa": [j["stages"] for j in js],
            "Año": [j["years"] for j in js],
            "Estado": [j["status_label"] for j in js],
            "Estrategia": [f"{i.strategy_code} · {i.strategy_name}" for i in items],
        }
    )


def territory_xlsx(detail: TerritoryInvestment) -> bytes:
    """The .xlsx of one territory: its initiatives, its figures, by source and by strategy."""
    r = detail.row
    summary = pd.DataFrame(
        {
            "Dato": [
                "Territorio",
                "Inversión atribuida (CLP)",
                "Por habitante (CLP)",
                "Promedio comunal por habitante (CLP)",
                L.TOUCHING_LABEL + " (CLP)",
                "Iniciativas",
                "Población",
                "Fuente de la población",
            ],
            "Valor": [
                r.label,
                _amount(r.attributed_clp, False),
                _each(r, False),
                round(detail.commune_per_inhabitant)
                if detail.commune_per_inhabitant is not None
                else L.NO_AMOUNTS,
                _amount(r.touching_clp, False),
                r.n_initiatives,
                r.population if r.population is not None else "",
                r.population_source or "",
            ],
        }
    )
    sheets = {"Iniciativas": initiatives_table(detail, formatted=False), "Resumen": summary}
    for dim in ("source", "strategy"):
        rows = detail.breakdowns.get(dim, [])
        sheets[BREAKDOWNS[dim].removeprefix("Por ").capitalize()] = pd.DataFrame(
            {
                "Valor": [b.label for b in rows],
                "Inversión atribuida (CLP)": [b.amount_clp for b in rows],
                "Iniciativas": [b.n_initiatives for b in rows],
            }
        )
    return tables_xlsx(sheets)
