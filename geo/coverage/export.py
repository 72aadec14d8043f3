"""Tables, JSON, xlsx and csv of the coverage (same numbers on the page and in the CLI).

Files are written by :mod:`geo.sheets.cells`, the one formula neutraliser of every download:
CSV UTF-8 with BOM and ``;``; a cell that a spreadsheet would run as a formula gets a
leading apostrophe in CSV and Excel's quote prefix (text, never a formula) in xlsx.
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from geo.coverage.allocation import Coverage
from geo.domain import STATUSES, TERRITORY_KINDS

log = logging.getLogger(__name__)


def _round(v: Any, digits: int = 0) -> Any:
    if v is None or v != v:
        return None
    return round(float(v), digits) if digits else int(round(float(v)))


def matrix_table(cov: Coverage) -> pd.DataFrame:
    """The territory x strategy matrix with Spanish column names (one row per cell)."""
    m = cov.matrix
    out = pd.DataFrame(
        {
            "Tipo": m["kind"].map(TERRITORY_KINDS),
            "Código": m["code"],
            "Territorio": m["name"],
            "Sector": m["sector"].fillna("sin información"),
            "Población": m["population"].map(_round),
            "Estrategia": m["strategy_code"] + " · " + m["strategy_name"],
            "Iniciativas vinculadas": m["n_iniciativas"],
        }
    )
    for code, label in STATUSES.items():
        out[f"Estado: {label}"] = m[f"estado_{code}"]
    out["Iniciativas comunales"] = m["n_comunales"]
    out["Inversión asignada (CLP)"] = m["inversion"].map(_round)
    out["Inversión por habitante (CLP)"] = m["inversion_per_capita"].map(_round)
    out["Iniciativas por 1.000 hab."] = m["por_mil"].map(lambda v: _round(v, 2))
    return out


def gaps_table(cov: Coverage) -> pd.DataFrame:
    """The ranked gap list with Spanish column names."""
    g = cov.gaps
    return pd.DataFrame(
        {
            "N°": range(1, len(g) + 1),
            "Brecha": g["tipo_label"],
            "Territorio": g["territorio"],
            "Estrategia": g["strategy_code"].fillna("—"),
            "Población": g["poblacion"],
            "Puntaje": g["puntaje"],
            "Razón": g["razon"],
        }
    )


def to_csv(df: pd.DataFrame) -> bytes:
    """CSV for Excel (UTF-8 with BOM, ``;``), formulas neutralised (:mod:`geo.sheets.cells`)."""
    from geo.sheets.cells import table_csv  # openpyxl: not for sit coverage --json

    return table_csv(df)


def to_xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per table, formulas neutralised (:mod:`geo.sheets.cells`)."""
    from geo.sheets.cells import tables_xlsx

    return tables_xlsx(sheets)


def _columns(df: pd.DataFrame, *names: str) -> Any:
    """Rows of ``df`` as tuples of plain Python values (``tolist``: no pandas row objects)."""
    return zip(*(df[n].tolist() for n in names), strict=True)


def coverage_json(cov: Coverage) -> dict[str, Any]:
    """Plain dict of the coverage for ``sit coverage --json``."""
    acc = {
        tid: (h, s, int(hi), int(si))
        for tid, h, s, hi, si in _columns(
            cov.access, "id", "health_m", "school_m", "health_inside", "schools_inside"
        )
    }
    territories = []
    for tid, kind, code, name, sector, population, official, source in _columns(
        cov.territories, "id", "kind", "code", "name", "sector", "population", "official", "source"
    ):
        a = acc.get(tid)
        territories.append(
            {
                "id": int(tid),
                "kind": kind,
                "code": code,
                "name": name,
                "sector": sector,
                "population": _round(population),
                "population_official": bool(official),
                "population_source": source,
                "health_distance_m": _round(a[0]) if a is not None else None,
                "school_distance_m": _round(a[1]) if a is not None else None,
                "health_inside": a[2] if a is not None else 0,
                "schools_inside": a[3] if a is not None else 0,
            }
        )
    statuses = [f"estado_{s}" for s in STATUSES]
    cells = [
        {
            "territory_id": int(tid),
            "territory_code": code,
            "kind": kind,
            "strategy": strategy,
            "initiatives": int(n),
            "by_status": {s: int(c) for s, c in zip(STATUSES, by_status, strict=True) if c},
            "commune_wide_initiatives": int(n_commune),
            "investment_clp": _round(inv),
            "investment_per_capita_clp": _round(per_capita),
            "initiatives_per_1000": _round(per_1000, 3),
        }
        for tid, code, kind, strategy, n, n_commune, inv, per_capita, per_1000, *by_status in _columns(
            cov.matrix,
            "tid",
            "code",
            "kind",
            "strategy_code",
            "n_iniciativas",
            "n_comunales",
            "inversion",
            "inversion_per_capita",
            "por_mil",
            *statuses,
        )
    ]
    gaps = [
        {
            "type": kind,
            "territory_id": int(tid),
            "territory": territory,
            "strategy": strategy if isinstance(strategy, str) else None,
            "population": _round(population),
            "score": score,
            "reason": reason,
        }
        for kind, tid, territory, strategy, population, score, reason in _columns(
            cov.gaps, "tipo", "tid", "territorio", "strategy_code", "poblacion", "puntaje", "razon"
        )
    ]
    totals = {k: v for k, v in cov.totals.items() if k != "commune_per_capita"}
    totals["commune_per_capita_clp"] = {k: _round(v) for k, v in cov.totals["commune_per_capita"].items()}
    return {"totals": totals, "territories": territories, "matrix": cells, "gaps": gaps}
