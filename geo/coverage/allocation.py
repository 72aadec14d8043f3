"""Coverage of the plan against the people: territory x strategy matrix, access, gaps.

Every aggregate is computed in PostGIS on the same filtered selection as the map page
(:data:`geo.initiatives.queries.FILTERED_SQL`, so strategy/status/sector/demo filters agree by
construction); pandas only pivots the result.

Allocation of an initiative to territories (documented on the page):

* **Linked** initiatives (``initiative_territory``): each link carries a ``weight``; a
  missing weight counts as an equal share. Weights are normalised per initiative, so an
  initiative's amount is split exactly once between its territories. Links to sites
  without location (*sin ubicar*) keep their share as *not allocated*.
* **Commune-wide** initiatives (scope ``comunal`` and no link) are allocated to the UVs in
  proportion to their population share: the UVs cover the whole commune, so every peso is
  allocated once. Rural localities lie inside rural UVs and receive no commune-wide share
  (that would count it twice). Counts of commune-wide initiatives are reported apart: a
  territory "has an initiative" of a strategy only when one is linked to it.
* Anything else (localised without territory, outside the commune) is *not allocated*.

An initiative's amount is the sum of the known amounts of its funding lines
(:data:`geo.investment.money.MONEY_JOIN`). So: allocated investment + not allocated = sum
of the known amounts of the selection.
The commune's per-capita value of a strategy (the yardstick of the per-capita gap) is all
the known investment of that strategy in the selection, allocated or not, divided by the
population of the UVs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, text

from geo.coverage.access import (
    access_and_unit_weights,
    access_inputs_key,
    recall_access,
    remember_access,
    remembered_access_and_unit_weights,
)
from geo.db import fetch_tuples
from geo.domain import STATUSES
from geo.initiatives.filters import FILTERED_SQL, MapFilters, filter_params
from geo.investment.money import MONEY_JOIN
from geo.territory.population import UnitWeights, population_table

log = logging.getLogger(__name__)

#: Metrics of the matrix: column -> Spanish label.
METRICS: dict[str, str] = {
    "n_iniciativas": "Iniciativas vinculadas",
    "por_mil": "Iniciativas por 1.000 habitantes",
    "inversion": "Inversión asignada (CLP)",
    "inversion_per_capita": "Inversión por habitante (CLP)",
}


@dataclass(frozen=True)
class GapRules:
    """Thresholds of the gap list (the page lets the planner change them)."""

    per_capita_share: float = 0.5
    max_health_m: float = 3000.0
    max_school_m: float = 3000.0


@dataclass
class Coverage:
    """Everything the «Brechas territoriales» page and ``sit coverage`` show."""

    territories: pd.DataFrame
    matrix: pd.DataFrame
    strategies: list[dict[str, Any]]
    access: pd.DataFrame
    gaps: pd.DataFrame
    totals: dict[str, Any] = field(default_factory=dict)


def _territories(conn: Connection, weights: UnitWeights) -> pd.DataFrame:
    pop = population_table(conn, weights)
    df = (
        pd.DataFrame(
            pop.rows,
            columns=["id", "kind", "code", "name", "sector", "population", "official", "source", "note"],
        )
        if pop.rows
        else pd.DataFrame(
            columns=["id", "kind", "code", "name", "sector", "population", "official", "source", "note"]
        )
    )
    df["label"] = [
        ("UV " + c + " · " + n) if k == "unidad_vecinal" else n
        for k, c, n in zip(df["kind"], df["code"], df["name"], strict=True)
    ]
    return df


def _allocation_rows(conn: Connection, f: MapFilters) -> list[tuple[Any, ...]]:
    """(is_commune, territory id or NULL, strategy id, status, n, investment).

    Linked and not-allocated initiatives: one row per (territory, strategy, status).
    Commune-wide initiatives: one row per strategy (territory and status NULL) with their
    count and summed amount; :func:`_matrix` spreads it over the UVs by population share,
    so the database never multiplies every such initiative by every UV.
    """
    return fetch_tuples(
        conn,
        f"""
        WITH sel AS ({FILTERED_SQL}),
        terr AS (SELECT id FROM territory
                  WHERE kind IN ('unidad_vecinal', 'localidad') AND geom IS NOT NULL),
        links AS (
            SELECT it.initiative_id, it.territory_id,
                   coalesce(it.weight::float8, 1.0 / count(*) OVER (PARTITION BY it.initiative_id))
                       AS raw
              FROM initiative_territory it JOIN sel ON sel.id = it.initiative_id),
        alloc AS (
            SELECT l.initiative_id, t.id AS tid,
                   l.raw / NULLIF(sum(l.raw) OVER (PARTITION BY l.initiative_id), 0) AS w
              FROM links l LEFT JOIN terr t ON t.id = l.territory_id
            UNION ALL
            SELECT i.id, NULL, 1.0
              FROM sel JOIN initiative i ON i.id = sel.id
             WHERE i.scope <> 'comunal'
               AND NOT EXISTS (SELECT 1 FROM initiative_territory it WHERE it.initiative_id = i.id))
        SELECT false, a.tid, i.strategy_id, i.status, count(DISTINCT i.id), sum(money.total_clp * a.w)
          FROM alloc a JOIN initiative i ON i.id = a.initiative_id
          {MONEY_JOIN}
         GROUP BY a.tid, i.strategy_id, i.status
        UNION ALL
        SELECT true, NULL, i.strategy_id, NULL, count(*), sum(money.total_clp)::float8
          FROM sel JOIN initiative i ON i.id = sel.id
          {MONEY_JOIN}
         WHERE i.scope = 'comunal'
           AND NOT EXISTS (SELECT 1 FROM initiative_territory it WHERE it.initiative_id = i.id)
         GROUP BY i.strategy_id
        """,
        filter_params(f),
    )


def compute_coverage(bind: Engine | Connection, f: MapFilters, rules: GapRules = GapRules()) -> Coverage:
    """The territory x strategy matrix, access to services and the ranked gaps.

    Given an :class:`Engine`, the allocation statement (the longest that depends on the
    filters: ~1 s national) starts at once on a second connection of the engine, while the
    first reads everything else: the key of the remembered access to services, access
    itself when it is not remembered (~0.6 s national), the selection's totals, the
    territories. The server works on both while the GIL is released. Given a
    :class:`Connection`, everything runs on it, one statement after another: a second
    connection would not see what that connection has not committed (the tests' transaction).
    """
    if isinstance(bind, Connection):
        access, weights = remembered_access_and_unit_weights(bind)
        return _compute(bind, access, weights, lambda: _allocation_rows(bind, f), f, rules)
    with bind.connect() as conn, ThreadPoolExecutor(max_workers=1) as pool:
        rows = pool.submit(_allocation_rows_on, bind, f)
        key = access_inputs_key(conn)
        hit = recall_access(key)
        access, weights = hit if hit is not None else remember_access(key, access_and_unit_weights(conn))
        return _compute(conn, access, weights, rows.result, f, rules)


def _allocation_rows_on(engine: Engine, f: MapFilters) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return _allocation_rows(conn, f)


def _amounts(conn: Connection, f: MapFilters) -> tuple[Any, ...]:
    """The selection's initiatives, their known amount and how many have one."""
    return tuple(
        conn.execute(
            text(
                f"""
        WITH sel AS ({FILTERED_SQL})
        SELECT count(*), coalesce(sum(money.total_clp), 0), count(money.total_clp)
          FROM sel JOIN initiative i ON i.id = sel.id
          {MONEY_JOIN}
        """
            ),
            filter_params(f),
        ).one()
    )


def _compute(
    conn: Connection,
    access: pd.DataFrame,
    weights: UnitWeights,
    allocation: Callable[[], list[tuple[Any, ...]]],
    f: MapFilters,
    rules: GapRules,
) -> Coverage:
    """:func:`compute_coverage` on ``conn``; ``allocation``: the allocation rows, when ready.

    The population estimate and access to services intersect the same census pieces with
    the UVs: one statement (:func:`access_and_unit_weights`) gives ``access`` and ``weights``,
    again only when territories, facilities or the census changed (not the filters).
    """
    from geo.coverage.gaps import find_gaps

    terr = _territories(conn, weights)
    strategies = [
        dict(r)
        for r in conn.execute(text("SELECT id, code, name, position FROM strategy ORDER BY position"))
        .mappings()
        .all()
    ]
    amounts = _amounts(conn, f)
    rows = pd.DataFrame(allocation(), columns=["commune", "tid", "strategy_id", "status", "n", "investment"])
    rows["investment"] = rows["investment"].astype(float)
    matrix = _matrix(terr, strategies, rows)
    allocated = float(matrix["inversion"].sum())
    uv_pop = float(terr.loc[terr["kind"] == "unidad_vecinal", "population"].fillna(0).sum())
    totals: dict[str, Any] = {
        "initiatives": int(amounts[0]),
        "known_investment": int(amounts[1]),
        "with_amount": int(amounts[2]),
        "allocated_investment": round(allocated),
        "not_allocated_investment": round(float(amounts[1]) - allocated),
        "uv_population": int(uv_pop),
    }
    # All the known investment of each strategy, allocated or not (commune-wide included).
    by_strategy = rows.groupby("strategy_id")["investment"].sum(min_count=1).fillna(0)
    commune_pc = {
        s["code"]: (float(by_strategy.get(s["id"], 0.0)) / uv_pop if uv_pop else None) for s in strategies
    }
    totals["commune_per_capita"] = commune_pc
    # Gaps only for the strategies in view: those chosen, or those of the chosen plans.
    in_view = f.strategies or tuple({p.split(".")[0] for p in f.plans})
    gaps = find_gaps(terr, matrix, access, rules, commune_pc, in_view)
    return Coverage(
        territories=terr, matrix=matrix, strategies=strategies, access=access, gaps=gaps, totals=totals
    )


def _uv_shares(terr: pd.DataFrame) -> np.ndarray:
    """Population share of each territory of ``terr`` (0 for localities and UVs without people)."""
    pop = pd.to_numeric(terr["population"], errors="coerce").astype(float).fillna(0.0).to_numpy()
    pop = np.where((terr["kind"] == "unidad_vecinal").to_numpy() & (pop > 0), pop, 0.0)
    total = pop.sum()
    return pop / total if total > 0 else pop


def _matrix(terr: pd.DataFrame, strategies: list[dict[str, Any]], rows: pd.DataFrame) -> pd.DataFrame:
    """Long table: one row per (territory, strategy) with counts, investment and ratios.

    Cells are summed with ``np.bincount`` on the cell's position (territory-major, the order
    of ``terr`` then of ``strategies``); commune-wide rows (one per strategy) are spread over
    the UVs by population share.
    """
    tids = terr["id"].to_numpy(dtype=np.int64)
    sids = np.array([s["id"] for s in strategies], dtype=np.int64)
    n_t, n_s = len(tids), len(sids)
    size = n_t * n_s
    m = pd.DataFrame({"tid": np.repeat(tids, n_s), "strategy_id": np.tile(sids, n_t)})
    is_commune = rows["commune"].astype(bool).to_numpy()
    linked = rows[~is_commune]
    ti = pd.Index(tids).get_indexer(pd.to_numeric(linked["tid"]).fillna(-1).to_numpy(dtype=np.int64))
    sj = pd.Index(sids).get_indexer(pd.Index(linked["strategy_id"].to_numpy(dtype=np.int64)))
    placed = (ti >= 0) & (sj >= 0)
    cell = (ti * n_s + sj)[placed]
    n = linked["n"].to_numpy(dtype=np.int64)[placed]
    status = linked["status"].to_numpy()[placed]
    inv = np.nan_to_num(linked["investment"].to_numpy(dtype=float)[placed])

    def count(weights: np.ndarray, at: np.ndarray = cell) -> np.ndarray:
        return np.bincount(at, weights=weights, minlength=size).round().astype(np.int64)

    m["n_iniciativas"] = count(n)
    for code in STATUSES:
        here = status == code
        m[f"estado_{code}"] = count(n[here], cell[here])
    commune = rows[is_commune]
    cj = pd.Index(sids).get_indexer(pd.Index(commune["strategy_id"].to_numpy(dtype=np.int64)))
    c_n = np.bincount(cj[cj >= 0], weights=commune["n"].to_numpy(dtype=float)[cj >= 0], minlength=n_s)
    c_inv = np.bincount(
        cj[cj >= 0],
        weights=np.nan_to_num(commune["investment"].to_numpy(dtype=float))[cj >= 0],
        minlength=n_s,
    )
    shares = _uv_shares(terr)
    m["n_comunales"] = np.outer(shares > 0, c_n).ravel().round().astype(np.int64)
    m["inversion_localizada"] = np.bincount(cell, weights=inv, minlength=size).astype(float)
    m["inversion_comunal"] = np.outer(shares, c_inv).ravel()
    m["inversion"] = m["inversion_localizada"] + m["inversion_comunal"]
    t = terr.set_index("id")
    m["population"] = m["tid"].map(t["population"])
    pop = m["population"].astype(float)
    valid = pop > 0
    m["inversion_per_capita"] = (m["inversion"] / pop).where(valid)
    m["por_mil"] = (m["n_iniciativas"] * 1000.0 / pop).where(valid)
    m["strategy_code"] = np.tile(np.array([s["code"] for s in strategies], dtype=object), n_t)
    m["strategy_name"] = np.tile(np.array([s["name"] for s in strategies], dtype=object), n_t)
    for col in ("kind", "code", "name", "label", "sector"):
        m[col] = m["tid"].map(t[col])
    return m
