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
    """Return the ranked gap list (columns :data:`COLUMNS`).

    The rules walk plain column lists (``tolist``), not pandas rows: at national scale the
    matrix has tens of thousands of cells.
    """
    only = set(strategies)
    gaps: list[tuple[Any, ...]] = []  # in the order of COLUMNS

    def add(
        kind: str, tid: Any, label: str, pop: Any, strategy: str | None, reason: str, severity: float
    ) -> None:
        known = pop is not None and pop == pop
        weight = float(pop) if known else 0.0
        score = round(weight * max(0.0, min(severity, 1.0)), 1)
        gaps.append(
            (kind, GAP_TYPES[kind], int(tid), label, strategy, reason, int(pop) if known else None, score)
        )

    uv = matrix[(matrix["kind"] == "unidad_vecinal") & (matrix["population"].fillna(0) > 0)]
    if only:
        uv = uv[uv["strategy_code"].isin(only)]
    cells = zip(
        *(
            uv[c].tolist()
            for c in (
                "tid",
                "label",
                "population",
                "strategy_code",
                "strategy_name",
                "n_iniciativas",
                "n_comunales",
                "inversion_per_capita",
            )
        ),
        strict=True,
    )
    # Texts repeated for every strategy of a UV or every UV of a strategy are built once.
    people: dict[Any, str] = {}
    names: dict[str, str] = {}
    commune_clp = {code: format_clp(v) for code, v in commune_per_capita.items() if v}
    threshold = f"{100 * rules.per_capita_share:.0f}"
    missing, missing_label = "sin_iniciativas", GAP_TYPES["sin_iniciativas"]
    for tid, label, pop, code, name, n, n_commune, pc in cells:
        strat = names.get(code)
        if strat is None:
            strat = names[code] = f"{code} · {name}"
        if n == 0:
            extra = f"; solo la alcanzan {n_commune} iniciativa(s) de alcance comunal" if n_commune else ""
            who = people.get(tid)
            if who is None:
                who = people[tid] = _people(pop)
            reason = f"{label} ({who}) no tiene ninguna iniciativa vinculada de la estrategia {strat}{extra}."
            if pop is not None and pop == pop:  # add(..., severity 1.0), inline: the most frequent gap
                gaps.append(
                    (missing, missing_label, int(tid), label, code, reason, int(pop), round(float(pop), 1))
                )
            else:
                gaps.append((missing, missing_label, int(tid), label, code, reason, None, 0.0))
            continue
        commune = commune_per_capita.get(code)
        if commune and pc == pc and pc < rules.per_capita_share * commune:
            add(
                "bajo_per_capita",
                tid,
                label,
                pop,
                code,
                f"La inversión por habitante de {label} en {strat} "
                f"({format_clp(pc)}) es el {100 * pc / commune:.0f} % del valor comunal "
                f"({commune_clp[code]}), bajo el umbral del {threshold} %.",
                1.0 - pc / commune,
            )

    totals = matrix.groupby("tid")["n_iniciativas"].sum().to_dict()
    places = list(
        zip(*(terr[c].tolist() for c in ("id", "kind", "sector", "label", "population")), strict=True)
    )
    for tid, kind_, sector, label, pop in places:
        rural = kind_ == "localidad" or sector == "rural"
        if rural and totals.get(tid, 0) == 0:
            what = "La localidad rural" if kind_ == "localidad" else "La unidad vecinal rural"
            add(
                "rural_sin_iniciativas",
                tid,
                label,
                pop,
                None,
                f"{what} {label} ({_people(pop)}) no tiene ninguna iniciativa "
                "vinculada con los filtros actuales.",
                1.0,
            )

    distances = zip(access["health_m"].tolist(), access["school_m"].tolist(), strict=True)
    acc = dict(zip(access["id"].tolist(), distances, strict=True))
    for tid, _kind, _sector, label, pop in places:
        if tid not in acc:
            continue
        for (kind, limit, what), d in zip(
            (
                ("distancia_salud", rules.max_health_m, "de salud"),
                ("distancia_educacion", rules.max_school_m, "educacional"),
            ),
            acc[tid],
            strict=True,
        ):
            if d is not None and d == d and d > limit:
                add(
                    kind,
                    tid,
                    label,
                    pop,
                    None,
                    f"Los habitantes de {label} viven en promedio a {_km(d)} del "
                    f"establecimiento {what} en funcionamiento más cercano (umbral "
                    f"{_km(limit)}).",
                    (d - limit) / limit,
                )
    columns = dict(zip(COLUMNS, map(list, zip(*gaps, strict=True)), strict=True)) if gaps else []
    out = pd.DataFrame(columns, columns=COLUMNS)  # empty: object columns, as before
    return out.sort_values(["puntaje", "territorio"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )
