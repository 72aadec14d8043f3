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

import numpy as np
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

    At national scale the matrix has ~60,000 cells and most of them can be gaps: cells are
    chosen with numpy masks, each kind of gap is built column by column (one list
    comprehension for its reasons, not one Python call per gap) and the list is ordered
    with one ``np.lexsort``. Ties of score and territory keep the order of the rules (cells
    in matrix order, then rural places, then distances, health before school).
    """
    parts: list[_Part] = []

    # Cells of UVs with people, of the strategies in view.
    in_view = (matrix["kind"] == "unidad_vecinal").to_numpy() & (
        matrix["population"].fillna(0) > 0
    ).to_numpy()
    if only := set(strategies):
        in_view &= matrix["strategy_code"].isin(only).to_numpy()
    at = np.flatnonzero(in_view)
    n = matrix["n_iniciativas"].to_numpy()[at]

    def cells(where: np.ndarray, *names: str) -> list[list[Any]]:
        return [matrix[c].take(where).tolist() for c in names]

    firsts = matrix.drop_duplicates("strategy_code")
    strat = {
        code: f"{code} · {name}"
        for code, name in zip(firsts["strategy_code"].tolist(), firsts["strategy_name"].tolist(), strict=True)
    }

    # sin_iniciativas: the people of these cells are known and positive.
    missing = at[n == 0]
    tid, label, pop, code, n_commune = cells(
        missing, "tid", "label", "population", "strategy_code", "n_comunales"
    )
    people = {p: _people(p) for p in set(pop)}
    extra = {
        k: f"; solo la alcanzan {k} iniciativa(s) de alcance comunal" if k else "" for k in set(n_commune)
    }
    reason = [
        f"{lb} ({people[p]}) no tiene ninguna iniciativa vinculada de la estrategia {strat[c]}{extra[k]}."
        for lb, p, c, k in zip(label, pop, code, n_commune, strict=True)
    ]
    parts.append(_Part("sin_iniciativas", missing, tid, label, code, reason, pop, 1.0))

    # bajo_per_capita: cells with initiatives whose investment per person is below the share.
    linked = at[n != 0]
    commune = (
        matrix["strategy_code"]
        .take(linked)
        .map(lambda c: commune_per_capita.get(c) or np.nan)
        .to_numpy(float)
    )
    pc = matrix["inversion_per_capita"].to_numpy(dtype=float)[linked]
    with np.errstate(invalid="ignore"):
        low = ~np.isnan(commune) & ~np.isnan(pc) & (pc < rules.per_capita_share * commune)
    tid, label, pop, code, pc_low = cells(
        linked[low], "tid", "label", "population", "strategy_code", "inversion_per_capita"
    )
    commune_low = commune[low].tolist()
    commune_clp = {c: format_clp(v) for c, v in commune_per_capita.items() if v}
    threshold = f"{100 * rules.per_capita_share:.0f}"
    reason = [
        f"La inversión por habitante de {lb} en {strat[c]} ({format_clp(v)}) es el {100 * v / cm:.0f} % "
        f"del valor comunal ({commune_clp[c]}), bajo el umbral del {threshold} %."
        for lb, c, v, cm in zip(label, code, pc_low, commune_low, strict=True)
    ]
    severity = [1.0 - v / cm for v, cm in zip(pc_low, commune_low, strict=True)]
    parts.append(_Part("bajo_per_capita", linked[low], tid, label, code, reason, pop, severity))

    # rural_sin_iniciativas: rural places without any linked initiative of the selection.
    seq = len(matrix)
    totals = matrix.groupby("tid")["n_iniciativas"].sum().to_dict()
    places = list(
        zip(*(terr[c].tolist() for c in ("id", "kind", "sector", "label", "population")), strict=True)
    )
    rural = [
        (seq + i, tid_, label_, pop_, kind_)
        for i, (tid_, kind_, sector, label_, pop_) in enumerate(places)
        if (kind_ == "localidad" or sector == "rural") and totals.get(tid_, 0) == 0
    ]
    reason = [
        f"{'La localidad rural' if kind_ == 'localidad' else 'La unidad vecinal rural'} {label_} "
        f"({_people(pop_)}) no tiene ninguna iniciativa vinculada con los filtros actuales."
        for _, _, label_, pop_, kind_ in rural
    ]
    parts.append(_Part.of_places("rural_sin_iniciativas", rural, reason, 1.0))

    # distancia_salud / distancia_educacion: the weighted distance is over the threshold.
    seq += len(places)
    distances = zip(access["health_m"].tolist(), access["school_m"].tolist(), strict=True)
    acc = dict(zip(access["id"].tolist(), distances, strict=True))
    for j, (kind, limit, what) in enumerate(
        (
            ("distancia_salud", rules.max_health_m, "de salud"),
            ("distancia_educacion", rules.max_school_m, "educacional"),
        )
    ):
        far = [
            (seq + 2 * i + j, tid_, label_, pop_, d)
            for i, (tid_, _k, _s, label_, pop_) in enumerate(places)
            if tid_ in acc and (d := acc[tid_][j]) is not None and d == d and d > limit
        ]
        limit_km = _km(limit)
        reason = [
            f"Los habitantes de {label_} viven en promedio a {_km(d)} del establecimiento {what} "
            f"en funcionamiento más cercano (umbral {limit_km})."
            for _, _, label_, _, d in far
        ]
        parts.append(_Part.of_places(kind, far, reason, [(r[4] - limit) / limit for r in far]))

    return _ranked([p for p in parts if p.reason])


class _Part:
    """The gaps of one rule, column by column (``seq``: the rule's order, for ties)."""

    def __init__(
        self,
        kind: str,
        seq: Any,
        tid: list[Any],
        label: list[str],
        strategy: list[Any] | None,
        reason: list[str],
        pop: list[Any],
        severity: Any,
    ) -> None:
        self.kind, self.tid, self.label, self.reason = kind, tid, label, reason
        self.seq = np.asarray(seq, dtype=np.int64)
        self.strategy = strategy if strategy is not None else [None] * len(reason)
        # People (NaN when unknown, whole people) and the score: people x severity in [0, 1].
        weight = np.array(pop, dtype=float)  # None -> NaN
        self.pop = np.trunc(weight)
        score = np.nan_to_num(weight) * np.clip(severity, 0.0, 1.0)
        # round(x, 1) is x for whole numbers: the usual case (a whole population, severity 1).
        whole = bool((score == np.trunc(score)).all())
        self.score = score if whole else np.array([round(x, 1) for x in score.tolist()], dtype=float)

    @classmethod
    def of_places(cls, kind: str, rows: list[tuple[Any, ...]], reason: list[str], severity: Any) -> _Part:
        """From ``(seq, tid, label, population, ...)`` rows of the territories table."""
        seq, tid, label, pop = ([r[i] for r in rows] for i in range(4))
        return cls(kind, seq, [int(t) for t in tid], label, None, reason, pop, severity)


def _ranked(parts: list[_Part]) -> pd.DataFrame:
    """One table of every part, by score (highest first), territory, then the rules' order."""
    if not parts:
        return pd.DataFrame([], columns=COLUMNS)  # empty: object columns, as before
    labels = [lb for p in parts for lb in p.label]
    rank = {lb: i for i, lb in enumerate(sorted(set(labels)))}
    score = np.concatenate([p.score for p in parts])
    order = np.lexsort(
        (np.concatenate([p.seq for p in parts]), np.array([rank[lb] for lb in labels]), -score)
    )

    def column(values: list[Any]) -> np.ndarray:
        return np.array(values, dtype=object)[order]

    pop = np.concatenate([p.pop for p in parts])[order]
    return pd.DataFrame(
        {
            "tipo": column([p.kind for p in parts for _ in p.reason]),
            "tipo_label": column([GAP_TYPES[p.kind] for p in parts for _ in p.reason]),
            "tid": np.array([t for p in parts for t in p.tid], dtype=np.int64)[order],
            "territorio": column(labels),
            "strategy_code": column([c for p in parts for c in p.strategy]),
            "razon": column([r for p in parts for r in p.reason]),
            # Whole numbers as integers, as when every population is known.
            "poblacion": pop if np.isnan(pop).any() else pop.astype(np.int64),
            "puntaje": score[order],
        }
    )
