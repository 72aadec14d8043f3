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
from geo.sheets.cells import table_csv, tables_xlsx

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
    return table_csv(df)


def to_xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per table, formulas neutralised (:mod:`geo.sheets.cells`)."""
    return tables_xlsx(sheets)


def coverage_json(cov: Coverage) -> dict[str, Any]:
    """Plain dict of the coverage for ``sit coverage --json``."""
    terr = cov.territories.set_index("id")
    acc = cov.access.set_index("id")
    territories = []
    for key, t in terr.iterrows():
        tid = int(str(key))
        a: Any = acc.loc[tid] if tid in acc.index else None
        territories.append(
            {
                "id": tid,
                "kind": t["kind"],
                "code": t["code"],
                "name": t["name"],
                "sector": t["sector"],
                "population": _round(t["population"]),
                "population_official": bool(t["official"]),
                "population_source": t["source"],
                "health_distance_m": _round(a["health_m"]) if a is not None else None,
                "school_distance_m": _round(a["school_m"]) if a is not None else None,
                "health_inside": int(a["health_inside"]) if a is not None else 0,
                "schools_inside": int(a["schools_inside"]) if a is not None else 0,
            }
        )
    cells = [
        {
            "territory_id": int(r["tid"]),
            "territory_code": r["code"],
            "kind": r["kind"],
            "strategy": r["strategy_code"],
            "initiatives": int(r["n_iniciativas"]),
            "by_status": {s: int(r[f"estado_{s}"]) for s in STATUSES if r[f"estado_{s}"]},
            "commune_wide_initiatives": int(r["n_comunales"]),
            "investment_clp": _round(r["inversion"]),
            "investment_per_capita_clp": _round(r["inversion_per_capita"]),
            "initiatives_per_1000": _round(r["por_mil"], 3),
        }
        for r in cov.matrix.to_dict("records")
    ]
    gaps = [
        {
            "type": g["tipo"],
            "territory_id": int(g["tid"]),
            "territory": g["territorio"],
            "strategy": g["strategy_code"] if isinstance(g["strategy_code"], str) else None,
            "population": _round(g["poblacion"]),
            "score": g["puntaje"],
            "reason": g["razon"],
        }
        for g in cov.gaps.to_dict("records")
    ]
    totals = {k: v for k, v in cov.totals.items() if k != "commune_per_capita"}
    totals["commune_per_capita_clp"] = {k: _round(v) for k, v in cov.totals["commune_per_capita"].items()}
    return {"totals": totals, "territories": territories, "matrix": cells, "gaps": gaps}
