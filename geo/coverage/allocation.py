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

So: allocated investment + not allocated = sum of the known amounts of the selection.
The commune's per-capita value of a strategy (the yardstick of the per-capita gap) is all
the known investment of that strategy in the selection, allocated or not, divided by the
population of the UVs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Row, text

from geo.coverage.access import access_to_services
from geo.domain import STATUSES
from geo.initiatives.filters import FILTERED_SQL, MapFilters, filter_params
from geo.territory.population import population_table

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


def _territories(conn: Connection) -> pd.DataFrame:
    pop = population_table(conn)
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


def _allocation_rows(conn: Connection, f: MapFilters, pop: dict[int, float]) -> Sequence[Row[Any]]:
    """(territory id or NULL, strategy id, status, is_commune, n, weighted n, investment)."""
    return conn.execute(
        text(
            f"""
        WITH sel AS ({FILTERED_SQL}),
        terr AS (SELECT id, kind FROM territory
                  WHERE kind IN ('unidad_vecinal', 'localidad') AND geom IS NOT NULL),
        pop AS (SELECT * FROM unnest(CAST(:pop_ids AS int[]), CAST(:pop_vals AS float8[]))
                       AS p(tid, persons)),
        uvshare AS (
            SELECT p.tid, p.persons / sum(p.persons) OVER () AS w
              FROM pop p JOIN terr t ON t.id = p.tid AND t.kind = 'unidad_vecinal'
             WHERE p.persons > 0),
        links AS (
            SELECT it.initiative_id, it.territory_id,
                   coalesce(it.weight::float8, 1.0 / count(*) OVER (PARTITION BY it.initiative_id))
                       AS raw
              FROM initiative_territory it JOIN sel ON sel.id = it.initiative_id),
        alloc AS (
            SELECT l.initiative_id, t.id AS tid,
                   l.raw / NULLIF(sum(l.raw) OVER (PARTITION BY l.initiative_id), 0) AS w,
                   false AS commune
              FROM links l LEFT JOIN terr t ON t.id = l.territory_id
            UNION ALL
            SELECT i.id, u.tid, coalesce(u.w, 1.0), true
              FROM sel JOIN initiative i ON i.id = sel.id
              LEFT JOIN uvshare u ON true
             WHERE i.scope = 'comunal'
               AND NOT EXISTS (SELECT 1 FROM initiative_territory it WHERE it.initiative_id = i.id)
            UNION ALL
            SELECT i.id, NULL, 1.0, false
              FROM sel JOIN initiative i ON i.id = sel.id
             WHERE i.scope <> 'comunal'
               AND NOT EXISTS (SELECT 1 FROM initiative_territory it WHERE it.initiative_id = i.id))
        SELECT a.tid, i.strategy_id, i.status, a.commune,
               count(DISTINCT i.id) AS n, sum(a.w) AS wn,
               sum(i.amount_clp * a.w) AS investment
          FROM alloc a JOIN initiative i ON i.id = a.initiative_id
         GROUP BY a.tid, i.strategy_id, i.status, a.commune
        """
        ),
        {**filter_params(f), "pop_ids": list(pop), "pop_vals": list(pop.values())},
    ).all()


def compute_coverage(conn: Connection, f: MapFilters, rules: GapRules = GapRules()) -> Coverage:
    """The territory x strategy matrix, access to services and the ranked gaps."""
    from geo.coverage.gaps import find_gaps

    terr = _territories(conn)
    strategies = [
        dict(r)
        for r in conn.execute(text("SELECT id, code, name, position FROM strategy ORDER BY position"))
        .mappings()
        .all()
    ]
    known = terr.dropna(subset=["population"])
    pop = dict(zip(known["id"].astype(int).tolist(), known["population"].astype(float).tolist(), strict=True))
    rows = pd.DataFrame(
        _allocation_rows(conn, f, pop),
        columns=["tid", "strategy_id", "status", "commune", "n", "wn", "investment"],
    )
    rows["investment"] = rows["investment"].astype(float)
    matrix = _matrix(terr, strategies, rows)
    access = access_to_services(conn)
    amounts = conn.execute(
        text(
            f"""
        WITH sel AS ({FILTERED_SQL})
        SELECT count(*), coalesce(sum(i.amount_clp), 0), count(i.amount_clp)
          FROM sel JOIN initiative i ON i.id = sel.id
        """
        ),
        filter_params(f),
    ).one()
    allocated = float(rows.loc[rows["tid"].notna(), "investment"].fillna(0).sum())
    uv_pop = float(terr.loc[terr["kind"] == "unidad_vecinal", "population"].fillna(0).sum())
    totals: dict[str, Any] = {
        "initiatives": int(amounts[0]),
        "known_investment": int(amounts[1]),
        "with_amount": int(amounts[2]),
        "allocated_investment": round(allocated),
        "not_allocated_investment": round(float(amounts[1]) - allocated),
        "uv_population": int(uv_pop),
    }
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


def _matrix(terr: pd.DataFrame, strategies: list[dict[str, Any]], rows: pd.DataFrame) -> pd.DataFrame:
    """Long table: one row per (territory, strategy) with counts, investment and ratios."""
    grid = pd.MultiIndex.from_product(
        [terr["id"].tolist(), [s["id"] for s in strategies]], names=["tid", "strategy_id"]
    ).to_frame(index=False)
    placed = rows[rows["tid"].notna()].copy()
    placed["tid"] = placed["tid"].astype(int)
    is_commune = placed["commune"].astype(bool)  # empty result: object dtype, not a mask
    linked, commune = placed[~is_commune], placed[is_commune]
    n = linked.groupby(["tid", "strategy_id"])["n"].sum().rename("n_iniciativas")
    if linked.empty:  # a filter that matches nothing still gives the whole (empty) matrix
        by_status = pd.DataFrame(index=pd.MultiIndex.from_arrays([[], []], names=["tid", "strategy_id"]))
    else:
        by_status = linked.pivot_table(
            index=["tid", "strategy_id"], columns="status", values="n", aggfunc="sum", fill_value=0
        )
    by_status = by_status.reindex(columns=list(STATUSES), fill_value=0).add_prefix("estado_")
    inv_l = linked.groupby(["tid", "strategy_id"])["investment"].sum(min_count=1).rename("inv_l")
    inv_c = commune.groupby(["tid", "strategy_id"])["investment"].sum(min_count=1).rename("inv_c")
    n_c = commune.groupby(["tid", "strategy_id"])["n"].sum().rename("n_comunales")
    m = grid.merge(n, how="left", left_on=["tid", "strategy_id"], right_index=True)
    for part in (by_status, inv_l, inv_c, n_c):
        m = m.merge(part, how="left", left_on=["tid", "strategy_id"], right_index=True)
    for col in ["n_iniciativas", "n_comunales", *by_status.columns]:
        m[col] = m[col].fillna(0).astype(int)
    m["inversion_localizada"] = m["inv_l"].fillna(0.0)
    m["inversion_comunal"] = m["inv_c"].fillna(0.0)
    m["inversion"] = m["inversion_localizada"] + m["inversion_comunal"]
    m = m.drop(columns=["inv_l", "inv_c"])
    t = terr.set_index("id")
    m["population"] = m["tid"].map(t["population"])
    pop = m["population"].astype(float)
    valid = pop > 0
    m["inversion_per_capita"] = (m["inversion"] / pop).where(valid)
    m["por_mil"] = (m["n_iniciativas"] * 1000.0 / pop).where(valid)
    s = {x["id"]: x for x in strategies}
    m["strategy_code"] = m["strategy_id"].map(lambda i: s[i]["code"])
    m["strategy_name"] = m["strategy_id"].map(lambda i: s[i]["name"])
    for col in ("kind", "code", "name", "label", "sector"):
        m[col] = m["tid"].map(t[col])
    return m
