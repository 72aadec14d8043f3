"""Territorial and social views of the evaluation: where the plan's initiatives and money go.

* An initiative's money goes, as in Inversión por territorio (:mod:`geo.investment.attribution`),
  to *Fuera de la comuna* (scope ``fuera_comuna``), else to the UVs it is linked to, split by
  the links' weights normalised over its UV links (a link without weight is an equal share),
  else to *Comunal* (scope ``comunal``), else to *Sin territorio*. Rural localities lie inside
  rural UVs and are not summed again.
* **By sector**: urbano and rural are the sectors of those UVs; comunal, fuera de la comuna and
  sin territorio as above. An initiative counts once in each sector it reaches.
* **By territory**: each UV's programmed and executed investment against its share of the
  UVs' population (the population shown on Brechas).
* **Social**: per strategy, the population of the UVs its initiatives are linked to (the
  commune-wide ones counted beside), with the census age groups of those UVs: children (0-14),
  elderly (65 and over). The census table groups 15 to 64 together, so young people (15-29)
  cannot be told apart: the output says so rather than guess.

Only initiatives that are not archived count here (all statuses: the plan's reach).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from geo.domain import SECTOR_FILTERS
from geo.evaluation.snapshot import InitiativeState
from geo.territory.population import largest_remainder

log = logging.getLogger(__name__)

#: The places money goes to besides the UVs' sectors.
SECTOR_ROWS: dict[str, str] = {
    **SECTOR_FILTERS,
    "fuera_comuna": "Fuera de la comuna",
    "sin_territorio": "Sin territorio",
}
#: Said beside the territorial view: it counts more initiatives than the percentages do.
SCOPE_NOTE = (
    "Aquí cuentan todas las iniciativas no archivadas, en cualquier estado (sin información y "
    "suspendidas incluidas): es el alcance del plan, por eso sus montos pueden superar el programado "
    "del resumen, que solo suma las iniciativas incluidas en los porcentajes."
)
CHILD_AGES = ("0 a 5", "6 a 14")
ELDER_AGES = ("65 y mas",)
YOUTH_NOTE = (
    "Jóvenes: el censo cargado agrupa de 15 a 64 años y no distingue a los jóvenes (15 a 29); no se estiman."
)


@dataclass(frozen=True)
class Territory:
    """A UV as the views need it: code, name, sector, population and its age groups."""

    id: int
    code: str
    name: str
    sector: str | None
    population: int | None
    ages: Mapping[str, int]


def uv_shares(state: InitiativeState, uvs: Mapping[int, Territory]) -> dict[int, float] | str:
    """The UV shares of an initiative's money (summing to 1), or the row it goes to instead."""
    if state.scope == "fuera_comuna":
        return "fuera_comuna"
    links = [(tid, w) for tid, w in state.territories if tid in uvs]
    if links:
        if all(w is not None and w > 0 for _, w in links):
            total = sum(w or 0.0 for _, w in links)
            return {tid: (w or 0.0) / total for tid, w in links}
        return {tid: 1.0 / len(links) for tid, _ in links}
    return "comunal" if state.scope == "comunal" else "sin_territorio"


def _split(amount: int | None, shares: dict[int, float] | str) -> dict[Any, int]:
    """``amount`` over the shares in whole pesos that add up to it (largest remainder)."""
    if isinstance(shares, str):
        return {shares: amount or 0}
    exact = {k: Fraction(v) for k, v in shares.items()}
    total = sum(exact.values())
    return largest_remainder({k: v / total * (amount or 0) for k, v in exact.items()}, amount or 0)


def add_known(total: int | None, part: int | None) -> int | None:
    """``total + part`` where unknown (None) adds nothing and two unknowns stay unknown."""
    return total if part is None else (total or 0) + part


def money_by_place(
    states: Iterable[InitiativeState], uvs: Mapping[int, Territory]
) -> dict[Any, dict[str, Any]]:
    """Initiatives, programmed and executed pesos per UV id or special row (not archived only).

    An amount stays None ("sin montos informados") where no initiative there has a known one.
    """
    out: dict[Any, dict[str, Any]] = defaultdict(
        lambda: {"initiatives": 0, "planned_clp": None, "executed_clp": None}
    )
    for s in states:
        if s.archived:
            continue
        shares = uv_shares(s, uvs)
        planned, executed = _split(s.planned_clp, shares), _split(s.executed_clp, shares)
        for key in planned:
            out[key]["initiatives"] += 1
            if s.planned_clp is not None:
                out[key]["planned_clp"] = add_known(out[key]["planned_clp"], planned[key])
            if s.executed_clp is not None:
                out[key]["executed_clp"] = add_known(out[key]["executed_clp"], executed[key])
    return out


def by_sector(states: Sequence[InitiativeState], uvs: Mapping[int, Territory]) -> list[dict[str, Any]]:
    """Initiatives and money per sector (urbano, rural, comunal, fuera, sin territorio)."""
    money = money_by_place(states, uvs)
    rows: dict[str, dict[str, Any]] = {
        code: {"sector": code, "label": label, "initiatives": 0, "planned_clp": None, "executed_clp": None}
        for code, label in SECTOR_ROWS.items()
    }
    reached: dict[str, set[int]] = defaultdict(set)
    for s in states:
        if s.archived:
            continue
        shares = uv_shares(s, uvs)
        for key in [shares] if isinstance(shares, str) else shares:
            reached[key if isinstance(key, str) else (uvs[key].sector or "sin_territorio")].add(s.id)
    for key, m in money.items():
        sector = key if isinstance(key, str) else (uvs[key].sector or "sin_territorio")
        rows[sector]["planned_clp"] = add_known(rows[sector]["planned_clp"], m["planned_clp"])
        rows[sector]["executed_clp"] = add_known(rows[sector]["executed_clp"], m["executed_clp"])
    for row in rows.values():
        row["initiatives"] = len(reached[row["sector"]])
    return list(rows.values())


def by_territory(states: Sequence[InitiativeState], uvs: Mapping[int, Territory]) -> list[dict[str, Any]]:
    """Each UV: initiatives reaching it, its money, its share of the UVs' money and of their people."""
    money = money_by_place(states, uvs)
    uv_money = sum(m["planned_clp"] or 0 for k, m in money.items() if isinstance(k, int))
    people = sum(t.population or 0 for t in uvs.values())
    rows = []
    for t in sorted(uvs.values(), key=lambda t: t.code):
        m = money.get(t.id, {"initiatives": 0, "planned_clp": None, "executed_clp": None})
        rows.append(
            {
                "id": t.id,
                "code": t.code,
                "name": t.name,
                "sector": t.sector,
                "initiatives": int(m["initiatives"]),
                "planned_clp": m["planned_clp"],
                "executed_clp": m["executed_clp"],
                "investment_share_pct": round(100 * (m["planned_clp"] or 0) / uv_money, 1)
                if uv_money
                else None,
                "population": t.population,
                "population_share_pct": (
                    round(100 * t.population / people, 1) if people and t.population is not None else None
                ),
            }
        )
    return rows


def social(
    states: Sequence[InitiativeState], uvs: Mapping[int, Territory], strategies: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """Per strategy: the UVs its initiatives are linked to, their population, children and elderly.

    Commune-wide initiatives without UV links reach everyone: they are counted beside
    (``commune_wide``), not added as "every UV", so the column still tells strategies apart.
    """
    have_ages = any(t.ages for t in uvs.values())
    rows = []
    for code, name in strategies:
        mine = [s for s in states if s.strategy == code and not s.archived]
        reached = {tid for s in mine for tid, _ in s.territories if tid in uvs}
        places = [uvs[t] for t in reached]
        population = sum(t.population or 0 for t in places) if places else None
        rows.append(
            {
                "strategy": code,
                "name": name,
                "initiatives": len(mine),
                "commune_wide": sum(1 for s in mine if uv_shares(s, uvs) == "comunal"),
                "territories_reached": len(reached),
                "population": population,
                "children": sum(t.ages.get(a, 0) for t in places for a in CHILD_AGES)
                if have_ages and places
                else None,
                "elderly": sum(t.ages.get(a, 0) for t in places for a in ELDER_AGES)
                if have_ages and places
                else None,
            }
        )
    notes = [
        "Población de las unidades vecinales a las que están vinculadas las iniciativas de cada estrategia "
        "(Censo 2017, como en Brechas). Las iniciativas de alcance comunal sin unidad vecinal alcanzan a "
        "toda la comuna y se cuentan aparte.",
        YOUTH_NOTE,
    ]
    if not have_ages:
        notes.append(
            "Los grupos de edad del censo no están cargados: no se informan niños ni personas mayores."
        )
    return {"strategies": rows, "notes": notes}
