"""Gaps of the plan (brechas): where it leaves people out, each with a Spanish reason.

Four rules, applied to the coverage matrix and the access table of :mod:`geo.coverage.allocation`:

* ``sin_iniciativas``: a UV with people and no initiative of a strategy linked to it
  (commune-wide initiatives are mentioned, they do not close the gap);
* ``bajo_per_capita``: a UV with initiatives of a strategy whose investment per inhabitant
  is below ``per_capita_share`` of the commune's value for that strategy;
* ``rural_sin_iniciativas``: a rural locality (or rural UV) without any linked initiative;
* ``distancia_salud`` / ``distancia_educacion``: the population-weighted distance to the
  nearest establishment in operation is longer than the threshold.

The list is ranked by ``puntaje`` = people affected x severity (1 for a missing
initiative; the relative shortfall for per-capita; the excess over the threshold, capped
at 1, for distance), so large populations with deep gaps come first.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import pandas as pd

from geo.domain import format_clp, format_int

log = logging.getLogger(__name__)

GAP_TYPES: dict[str, str] = {
    "sin_iniciativas": "Sin iniciativas de la estrategia",
    "bajo_per_capita": "Inversión por habitante baja",
    "rural_sin_iniciativas": "Territorio rural sin iniciativas",
    "distancia_salud": "Lejos de un establecimiento de salud",
    "distancia_educacion": "Lejos de un establecimiento educacional",
}
COLUMNS = ["tipo", "tipo_label", "tid", "territorio", "strategy_code", "razon", "poblacion", "puntaje"]


def _people(n: Any) -> str:
    return f"{format_int(n)} hab." if n is not None and n == n else "población sin información"


def _km(metres: float) -> str:
    return f"{metres / 1000:.1f}".replace(".", ",") + " km"


def find_gaps(
    terr: pd.DataFrame,
    matrix: pd.DataFrame,
    access: pd.DataFrame,
    rules: Any,
    commune_per_capita: dict[str, float | None],
    strategies: Iterable[str] = (),
) -> pd.DataFrame:
    """Return the ranked gap list (columns :data:`COLUMNS`)."""
    only = set(strategies)
    gaps: list[dict[str, Any]] = []

    def add(kind: str, row: Any, strategy: str | None, reason: str, severity: float) -> None:
        pop = row["population"]
        known = pop is not None and pop == pop
        weight = float(pop) if known else 0.0
        gaps.append(
            {
                "tipo": kind,
                "tipo_label": GAP_TYPES[kind],
                "tid": int(row["tid"]),
                "territorio": row["label"],
                "strategy_code": strategy,
                "razon": reason,
                "poblacion": int(pop) if known else None,
                "puntaje": round(weight * max(0.0, min(severity, 1.0)), 1),
            }
        )

    uv = matrix[(matrix["kind"] == "unidad_vecinal") & (matrix["population"].fillna(0) > 0)]
    if only:
        uv = uv[uv["strategy_code"].isin(only)]
    for r in uv.to_dict("records"):
        strat = f"{r['strategy_code']} · {r['strategy_name']}"
        if r["n_iniciativas"] == 0:
            extra = (
                f"; solo la alcanzan {r['n_comunales']} iniciativa(s) de alcance comunal"
                if r["n_comunales"]
                else ""
            )
            add(
                "sin_iniciativas",
                r,
                r["strategy_code"],
                f"{r['label']} ({_people(r['population'])}) no tiene ninguna iniciativa "
                f"vinculada de la estrategia {strat}{extra}.",
                1.0,
            )
            continue
        commune = commune_per_capita.get(r["strategy_code"])
        pc = r["inversion_per_capita"]
        if commune and pc == pc and pc < rules.per_capita_share * commune:
            add(
                "bajo_per_capita",
                r,
                r["strategy_code"],
                f"La inversión por habitante de {r['label']} en {strat} "
                f"({format_clp(pc)}) es el {100 * pc / commune:.0f} % del valor comunal "
                f"({format_clp(commune)}), bajo el umbral del "
                f"{100 * rules.per_capita_share:.0f} %.",
                1.0 - pc / commune,
            )

    totals = matrix.groupby("tid")["n_iniciativas"].sum()
    for t in terr.to_dict("records"):
        rural = t["kind"] == "localidad" or t["sector"] == "rural"
        if rural and totals.get(t["id"], 0) == 0:
            kind = "La localidad rural" if t["kind"] == "localidad" else "La unidad vecinal rural"
            add(
                "rural_sin_iniciativas",
                {**t, "tid": t["id"]},
                None,
                f"{kind} {t['label']} ({_people(t['population'])}) no tiene ninguna iniciativa "
                "vinculada con los filtros actuales.",
                1.0,
            )

    acc = access.set_index("id")
    for t in terr.to_dict("records"):
        if t["id"] not in acc.index:
            continue
        a = acc.loc[t["id"]]
        for kind, col, limit, what in (
            ("distancia_salud", "health_m", rules.max_health_m, "de salud"),
            ("distancia_educacion", "school_m", rules.max_school_m, "educacional"),
        ):
            d = a[col]
            if d is not None and d == d and d > limit:
                add(
                    kind,
                    {**t, "tid": t["id"]},
                    None,
                    f"Los habitantes de {t['label']} viven en promedio a {_km(d)} del "
                    f"establecimiento {what} en funcionamiento más cercano (umbral "
                    f"{_km(limit)}).",
                    (d - limit) / limit,
                )
    out = pd.DataFrame(gaps, columns=COLUMNS)
    return out.sort_values(["puntaje", "territorio"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )
