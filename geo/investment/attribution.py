"""Attributed investment per territory, in integer pesos that add up exactly.

Each funding line (:func:`geo.investment.lines.funding_lines`) goes to exactly one place of
the **summed partition**:

* ``fuera_comuna`` initiatives: the row "Fuera de la comuna";
* otherwise, initiatives linked to UVs: split over those UVs by the links' weights,
  normalised per initiative over its UV links (a link without weight is an equal share,
  ``1 / number of UV links``, as in :mod:`geo.coverage.allocation`; all weights zero means
  equal shares);
* otherwise, ``comunal`` initiatives: the row "Comunal (no territorializable)" (they are
  never spread by population here: the council asks what is placed where);
* otherwise (localised, but linked to no located UV: a site *sin ubicar*, a locality
  linked by hand alone): the row "Sin territorio", so the total still adds up and nothing
  is hidden.

A line's parts are rounded with the largest-remainder rule
(:func:`geo.territory.population.largest_remainder`), so the parts of every line add up to
its amount and the UVs + Comunal + Fuera + Sin territorio rows add up to the total of the
filtered lines, to the peso.

**Rural localities** are shown as rows of their own but are **not summed**: they lie inside
rural UVs, whose rows already hold that money. A line of an initiative linked to
localities is split over them the same way (weights normalised over its locality links).

Beside each row, the amount of every initiative that touches it (whole, not split) is given
and labelled as not summable: an initiative touching three UVs counts in each.
Per inhabitant divides by the population shown on Brechas
(:func:`geo.territory.population.population_table`); the commune average per inhabitant is
what the UVs received over the UVs' population (commune-wide and outside money excluded, so
it is the yardstick of the UV rows).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import Connection, text

from geo.domain import FUNDING_LINE_SOURCES, STATUSES, status_label
from geo.initiatives.filters import FILTERED_SQL, filter_params
from geo.investment import labels as L
from geo.investment.lines import FundingLine, InvestmentFilters, funding_lines, known_amounts
from geo.investment.report import (
    BREAKDOWNS,
    SPECIAL_ROWS,
    BreakdownRow,
    InitiativeAmount,
    InvestmentReport,
    RowKey,
    TerritoryInvestment,
    TerritoryRow,
)
from geo.territory.population import largest_remainder, population_table

log = logging.getLogger(__name__)

#: The report's dataclasses live in :mod:`geo.investment.report`; callers may import them here.
__all__ = [
    "BREAKDOWNS",
    "SPECIAL_ROWS",
    "BreakdownRow",
    "InitiativeAmount",
    "InvestmentReport",
    "RowKey",
    "TerritoryInvestment",
    "TerritoryRow",
    "apportion",
    "investment_report",
    "territories_investment",
    "territory_investment",
]


@dataclass(frozen=True)
class _Initiative:
    id: int
    code: str
    name: str
    strategy_code: str
    strategy_name: str
    status: str
    scope: str


@dataclass(frozen=True)
class _Part:
    """The share of one line that reaches one row."""

    line: FundingLine
    row: RowKey
    amount_clp: int


def apportion(amount: int, weights: Mapping[int, Decimal | float | None]) -> dict[int, int]:
    """Split ``amount`` over territory ids by their link weights, in integers adding up to it.

    A weight of ``None`` is an equal share (``1 / number of links``); the weights are then
    normalised to sum 1 (all zero: equal shares) and the parts rounded with the
    largest-remainder rule (ties: the smaller id first).
    """
    n = len(weights)
    raw = {t: Fraction(1, n) if w is None else Fraction(Decimal(str(w))) for t, w in weights.items()}
    total = sum(raw.values(), Fraction(0))
    if total <= 0:
        raw = {t: Fraction(1) for t in weights}
        total = Fraction(n)
    return largest_remainder({t: amount * r / total for t, r in raw.items()}, amount)


def _selection(conn: Connection, filters: InvestmentFilters) -> dict[int, _Initiative]:
    rows = conn.execute(
        text(
            f"""
            WITH sel AS ({FILTERED_SQL})
            SELECT i.id, i.code, i.name, s.code, s.name, i.status, i.scope
              FROM sel JOIN initiative i ON i.id = sel.id JOIN strategy s ON s.id = i.strategy_id
            """
        ),
        filter_params(filters.map),
    ).all()
    return {int(r[0]): _Initiative(int(r[0]), *r[1:]) for r in rows}


def _links(conn: Connection, filters: InvestmentFilters) -> list[tuple[int, int, str, Decimal | None]]:
    """(initiative, territory, kind, weight) of the links to located UVs and localities."""
    rows = conn.execute(
        text(
            f"""
            WITH sel AS ({FILTERED_SQL})
            SELECT it.initiative_id, t.id, t.kind, it.weight
              FROM sel JOIN initiative_territory it ON it.initiative_id = sel.id
              JOIN territory t ON t.id = it.territory_id
             WHERE t.kind IN ('unidad_vecinal', 'localidad') AND t.geom IS NOT NULL
            """
        ),
        filter_params(filters.map),
    ).all()
    return [(int(a), int(b), c, d) for a, b, c, d in rows]


def _special_row(ini: _Initiative) -> str | None:
    """The row outside the UVs of an initiative without UV links (None: it has UV links)."""
    if ini.scope == "fuera_comuna":
        return "fuera_comuna"
    return "comunal" if ini.scope == "comunal" else "sin_territorio"


def _attribute(
    lines: list[FundingLine],
    selection: dict[int, _Initiative],
    links: list[tuple[int, int, str, Decimal | None]],
) -> tuple[list[_Part], list[_Part], dict[RowKey, set[int]]]:
    """Parts of the summed partition, parts of the localities, initiatives of every row."""
    uv_links: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
    loc_links: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
    for iid, tid, kind, w in links:
        (uv_links if kind == "unidad_vecinal" else loc_links)[iid][tid] = w
    members: dict[RowKey, set[int]] = defaultdict(set)
    for iid, ini in selection.items():
        if ini.scope != "fuera_comuna" and uv_links.get(iid):
            for tid in uv_links[iid]:
                members[tid].add(iid)
        else:
            members[_special_row(ini) or "sin_territorio"].add(iid)
        for tid in loc_links.get(iid, {}):
            members[tid].add(iid)
    summed: list[_Part] = []
    local: list[_Part] = []
    for ln in lines:
        if ln.amount_clp is None:  # named, never summed
            continue
        ini = selection[ln.initiative_id]
        uvs = uv_links.get(ini.id)
        if ini.scope != "fuera_comuna" and uvs:
            summed += [_Part(ln, t, a) for t, a in apportion(ln.amount_clp, uvs).items()]
        else:
            summed.append(_Part(ln, _special_row(ini) or "sin_territorio", ln.amount_clp))
        if loc_links.get(ini.id):
            local += [_Part(ln, t, a) for t, a in apportion(ln.amount_clp, loc_links[ini.id]).items()]
    return summed, local, members


def _dimension(part: _Part, ini: _Initiative, dim: str) -> tuple[str, str, tuple]:
    """(key, label, sort key) of a part along a breakdown dimension."""
    ln = part.line
    if dim == "strategy":
        return ini.strategy_code, f"{ini.strategy_code} · {ini.strategy_name}", (ini.strategy_code,)
    if dim == "source":
        order = list(FUNDING_LINE_SOURCES)
        return (
            ln.source or L.NO_SOURCE,
            L.source_label(ln.source),
            (order.index(ln.source) if ln.source in order else len(order),),
        )
    if dim == "year":
        return (
            str(ln.year) if ln.year is not None else "",
            L.year_label(ln.year),
            (ln.year is None, ln.year or 0),
        )
    if dim == "stage":
        order = list(L.STAGES)
        return (
            ln.stage or L.NO_STAGE,
            L.stage_label(ln.stage),
            (order.index(ln.stage) if ln.stage in order else len(order),),
        )
    order = list(STATUSES)
    return (
        ini.status,
        status_label(ini.status),
        (order.index(ini.status) if ini.status in order else len(order),),
    )


def _breakdowns(parts: list[_Part], selection: dict[int, _Initiative]) -> dict[str, list[BreakdownRow]]:
    out: dict[str, list[BreakdownRow]] = {}
    for dim in BREAKDOWNS:
        acc: dict[str, list[Any]] = {}
        for p in parts:
            key, label, sort = _dimension(p, selection[p.line.initiative_id], dim)
            a = acc.setdefault(key, [label, 0, set(), sort])
            a[1] += p.amount_clp
            a[2].add(p.line.initiative_id)
        ordered = sorted(acc.items(), key=lambda kv: kv[1][3])
        out[dim] = [BreakdownRow(k, v[0], v[1], len(v[2])) for k, v in ordered]
    return out


@dataclass
class _Computation:
    report: InvestmentReport
    selection: dict[int, _Initiative]
    lines: list[FundingLine]
    parts: dict[RowKey, list[_Part]]
    members: dict[RowKey, set[int]]


def _compute(conn: Connection, filters: InvestmentFilters) -> _Computation:
    selection = _selection(conn, filters)
    every_line = funding_lines(conn, filters)
    lines = known_amounts(every_line)
    summed, local, members = _attribute(lines, selection, _links(conn, filters))
    with_lines = {ln.initiative_id for ln in lines}
    in_view = {ln.initiative_id for ln in every_line}
    if filters.narrows_lines:  # a year, source or stage filter: only initiatives with such lines
        members = {k: v & in_view for k, v in members.items()}
    parts: dict[RowKey, list[_Part]] = defaultdict(list)
    for p in summed + local:
        parts[p.row].append(p)
    line_total: dict[int, int] = defaultdict(int)
    for ln in lines:
        line_total[ln.initiative_id] += ln.amount_clp or 0

    pop = population_table(conn)
    rows: list[TerritoryRow] = []

    def make(
        key: RowKey,
        kind: str,
        code: str | None,
        name: str,
        label: str,
        population: int | None,
        source: str | None,
    ) -> TerritoryRow:
        ps = parts.get(key, [])
        ids = members.get(key, set())
        attributed = sum(p.amount_clp for p in ps) if ps else None
        touched = [i for i in ids if i in with_lines]
        return TerritoryRow(
            key=key,
            kind=kind,
            code=code,
            name=name,
            label=label,
            summed=kind in L.SUMMED_KINDS,
            attributed_clp=attributed,
            touching_clp=sum(line_total[i] for i in touched) if touched else None,
            n_initiatives=len(ids),
            n_with_amounts=len(touched),
            population=population,
            population_source=source,
            per_inhabitant=(attributed / population) if attributed is not None and population else None,
        )

    territory_rows = sorted(pop.rows, key=lambda r: (r["kind"] != "unidad_vecinal", r["code"]))
    for t in territory_rows:
        label = f"UV {t['code']} · {t['name']}" if t["kind"] == "unidad_vecinal" else t["name"]
        rows.append(make(t["id"], t["kind"], t["code"], t["name"], label, t["population"], t["source"]))
    for kind in SPECIAL_ROWS:
        if kind != "sin_territorio" or members.get(kind) or parts.get(kind):
            rows.append(make(kind, kind, None, L.ROW_KINDS[kind], L.ROW_KINDS[kind], None, None))

    uv_rows = [r for r in rows if r.kind == "unidad_vecinal"]
    uv_money = [r.attributed_clp for r in uv_rows if r.attributed_clp is not None]
    uv_population = pop.uv_total
    total = sum(ln.amount_clp or 0 for ln in lines) if lines else None
    n_in_view = len(in_view) if filters.narrows_lines else len(selection)
    report = InvestmentReport(
        filters=filters,
        rows=rows,
        total_clp=total,
        n_lines=len(lines),
        n_initiatives=n_in_view,
        n_with_amounts=len(with_lines),
        uv_population=uv_population,
        commune_per_inhabitant=(sum(uv_money) / uv_population) if uv_money and uv_population else None,
        breakdowns=_breakdowns(summed, selection),
    )
    return _Computation(report, selection, every_line, parts, members)


def investment_report(conn: Connection, filters: InvestmentFilters) -> InvestmentReport:
    """Attributed investment of every UV, locality and row outside the UVs, with breakdowns."""
    return _compute(conn, filters).report


def territory_investment(conn: Connection, key: RowKey, filters: InvestmentFilters) -> TerritoryInvestment:
    """One row of the report with its initiatives (largest attributed first) and breakdowns.

    ``key``: a territory id (UV or locality) or one of :data:`SPECIAL_ROWS`. Initiatives
    without a known amount are listed last, marked :data:`~geo.investment.labels.NO_AMOUNTS`.
    """
    return _territory(_compute(conn, filters), key)


def territories_investment(
    conn: Connection, keys: list[RowKey], filters: InvestmentFilters
) -> tuple[InvestmentReport, list[TerritoryInvestment]]:
    """The report and :func:`territory_investment` of each of ``keys``, computed once.

    For the Ficha's booklet (every territory on one PDF): one computation instead of one
    per territory (each is ~0.5 s, the population estimate and the exact split of every line).
    """
    c = _compute(conn, filters)
    return c.report, [_territory(c, key) for key in keys]


def _territory(c: _Computation, key: RowKey) -> TerritoryInvestment:
    row = c.report.row(key)
    if row is None:
        raise KeyError(key)
    parts = c.parts.get(key, [])
    attributed: dict[int, int] = defaultdict(int)
    for p in parts:
        attributed[p.line.initiative_id] += p.amount_clp
    lines_of: dict[int, list[FundingLine]] = defaultdict(list)
    for ln in c.lines:
        lines_of[ln.initiative_id].append(ln)
    items = []
    for iid in c.members.get(key, set()):
        ini, lns = c.selection[iid], lines_of.get(iid, [])
        known = known_amounts(lns)
        items.append(
            InitiativeAmount(
                id=iid,
                code=ini.code,
                name=ini.name,
                strategy_code=ini.strategy_code,
                strategy_name=ini.strategy_name,
                status=ini.status,
                amount_clp=sum(ln.amount_clp or 0 for ln in known) if known else None,
                attributed_clp=attributed[iid] if iid in attributed else None,
                sources=tuple(dict.fromkeys(L.source_label(ln.source, ln.source_detail) for ln in lns)),
                stages=tuple(dict.fromkeys(ln.stage for ln in lns)),
                years=tuple(dict.fromkeys(ln.year for ln in lns)),
            )
        )
    items.sort(
        key=lambda i: (i.attributed_clp is None, -(i.attributed_clp or 0), -(i.amount_clp or 0), i.code)
    )
    return TerritoryInvestment(row, c.report.commune_per_inhabitant, items, _breakdowns(parts, c.selection))
