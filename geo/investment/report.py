"""What investment reports hold: rows, breakdowns, a territory's initiatives, as dataclasses.

Built by :mod:`geo.investment.attribution`; read by the page, ``sit investment`` and the
Ficha. ``as_json`` gives the figures with their es-CL labels (the CLI prints it as is).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from geo.domain import status_label
from geo.investment import labels as L
from geo.investment.lines import InvestmentFilters

log = logging.getLogger(__name__)

#: The rows outside the UVs (a row key is a territory id or one of these).
SPECIAL_ROWS = ("comunal", "fuera_comuna", "sin_territorio")
RowKey = int | str

#: Dimensions of the breakdowns: key -> Spanish title.
BREAKDOWNS: dict[str, str] = {
    "strategy": "Por estrategia",
    "source": "Por fuente de financiamiento",
    "year": "Por año",
    "stage": "Por etapa",
    "status": "Por estado",
}


@dataclass
class BreakdownRow:
    """Investment of one value of a dimension (a strategy, a source, a year...)."""

    key: str
    label: str
    amount_clp: int
    n_initiatives: int

    def as_json(self) -> dict[str, Any]:
        """Plain dict with the formatted amount."""
        return {**self.__dict__, "amount_label": L.money(self.amount_clp)}


@dataclass
class TerritoryRow:
    """One row of the report: a UV, a locality, or a row outside the UVs."""

    key: RowKey
    kind: str
    code: str | None
    name: str
    label: str
    summed: bool
    attributed_clp: int | None
    touching_clp: int | None
    n_initiatives: int
    n_with_amounts: int
    population: int | None
    population_source: str | None
    per_inhabitant: float | None

    @property
    def territory_id(self) -> int | None:
        """The territory's id (None for the rows outside the UVs)."""
        return self.key if isinstance(self.key, int) else None

    def as_json(self) -> dict[str, Any]:
        """Plain dict: figures and their es-CL labels."""
        return {
            "territory_id": self.territory_id,
            "kind": self.kind,
            "kind_label": L.ROW_KINDS[self.kind],
            "code": self.code,
            "name": self.name,
            "label": self.label,
            "summed": self.summed,
            "attributed_clp": self.attributed_clp,
            "attributed_label": L.money(self.attributed_clp),
            "touching_clp": self.touching_clp,
            "touching_label": L.money(self.touching_clp),
            "n_initiatives": self.n_initiatives,
            "n_with_amounts": self.n_with_amounts,
            "population": self.population,
            "population_source": self.population_source,
            "per_inhabitant": self.per_inhabitant,
            "per_inhabitant_label": L.per_inhabitant(self.per_inhabitant, self.attributed_clp is not None),
        }


@dataclass
class InitiativeAmount:
    """An initiative of a territory: its amount, the part attributed there, its lines."""

    id: int
    code: str
    name: str
    strategy_code: str
    strategy_name: str
    status: str
    amount_clp: int | None
    attributed_clp: int | None
    sources: tuple[str, ...]
    stages: tuple[str | None, ...]
    years: tuple[int | None, ...]

    def as_json(self) -> dict[str, Any]:
        """Plain dict with es-CL labels."""
        return {
            "code": self.code,
            "name": self.name,
            "strategy": self.strategy_code,
            "strategy_name": self.strategy_name,
            "status": self.status,
            "status_label": status_label(self.status),
            "amount_clp": self.amount_clp,
            "amount_label": L.money(self.amount_clp),
            "attributed_clp": self.attributed_clp,
            "attributed_label": L.money(self.attributed_clp),
            "sources": ", ".join(self.sources),
            "stages": ", ".join(L.stage_label(s) for s in self.stages) if self.stages else "",
            "years": ", ".join(L.year_label(y) for y in self.years) if self.years else "",
        }


@dataclass
class InvestmentReport:
    """Everything the page «Inversión por territorio» and ``sit investment`` show."""

    filters: InvestmentFilters
    rows: list[TerritoryRow]
    total_clp: int | None
    n_lines: int
    n_initiatives: int
    n_with_amounts: int
    uv_population: int
    commune_per_inhabitant: float | None
    breakdowns: dict[str, list[BreakdownRow]] = field(default_factory=dict)

    @property
    def has_amounts(self) -> bool:
        """Whether any filtered line has an amount."""
        return self.n_lines > 0

    @property
    def summed_rows(self) -> list[TerritoryRow]:
        """The partition: UVs, Comunal, Fuera de la comuna and Sin territorio."""
        return [r for r in self.rows if r.summed]

    @property
    def commune_per_inhabitant_label(self) -> str:
        """The commune average per inhabitant, or "sin montos informados" (no UV received any)."""
        return L.per_inhabitant(self.commune_per_inhabitant, self.commune_per_inhabitant is not None)

    def ranking(self) -> list[TerritoryRow]:
        """UVs and rural localities, the largest attributed investment first (then UVs by code)."""
        rows = [r for r in self.rows if r.kind in ("unidad_vecinal", "localidad")]
        return sorted(
            rows,
            key=lambda r: (
                r.attributed_clp is None,
                -(r.attributed_clp or 0),
                r.kind != "unidad_vecinal",
                r.code,
            ),
        )

    def row(self, key: RowKey) -> TerritoryRow | None:
        """The row of a territory id or of a row outside the UVs."""
        return next((r for r in self.rows if r.key == key), None)

    def find(self, name: str) -> TerritoryRow | None:
        """The UV or locality a person names: ``UV 05``, ``05``, or the name (any case)."""
        wanted = " ".join(name.split()).casefold()
        for r in self.rows:
            if r.territory_id is None:
                continue
            names = {r.name.casefold(), r.label.casefold(), (r.code or "").casefold()}
            if r.kind == "unidad_vecinal":
                names.add(f"uv {r.code}".casefold())
            if wanted in names:
                return r
        return None

    def as_json(self) -> dict[str, Any]:
        """Plain dict for ``sit investment --json`` (the figures the page shows)."""
        f = self.filters
        return {
            "filters": {
                "strategies": list(f.map.strategies),
                "statuses": list(f.map.statuses),
                "sectors": list(f.map.sectors),
                "include_demo": f.map.include_demo,
                "year_from": f.year_from,
                "year_to": f.year_to,
                "sources": list(f.sources),
                "stages": list(f.stages),
            },
            "totals": {
                "total_clp": self.total_clp,
                "total_label": L.money(self.total_clp),
                "n_lines": self.n_lines,
                "n_initiatives": self.n_initiatives,
                "n_with_amounts": self.n_with_amounts,
                "uv_population": self.uv_population,
                "commune_per_inhabitant": self.commune_per_inhabitant,
                "commune_per_inhabitant_label": self.commune_per_inhabitant_label,
            },
            "rows": [r.as_json() for r in self.rows],
            "breakdowns": {k: [b.as_json() for b in v] for k, v in self.breakdowns.items()},
        }


@dataclass
class TerritoryInvestment:
    """One territory (or row outside the UVs): its figures, initiatives and breakdowns."""

    row: TerritoryRow
    commune_per_inhabitant: float | None
    initiatives: list[InitiativeAmount]
    breakdowns: dict[str, list[BreakdownRow]]

    def as_json(self) -> dict[str, Any]:
        """Plain dict with es-CL labels."""
        return {
            "territory": self.row.as_json(),
            "commune_per_inhabitant": self.commune_per_inhabitant,
            "initiatives": [i.as_json() for i in self.initiatives],
            "breakdowns": {k: [b.as_json() for b in v] for k, v in self.breakdowns.items()},
        }
