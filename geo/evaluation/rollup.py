"""Roll-up of the leaf initiatives to program, plan, strategy and the whole plan.

The rules (also written on the «Evaluación del PLADECO» page and in the report):

* **Left out of the percentages** and counted beside them ("n excluidas"): initiatives
  *sin información* (no status, so no progress), *suspendidas* and archived (*descartadas*).
  Every other initiative of the group is **included**.
* **Every level is computed from its leaf initiatives**, never from the figures of the level
  below (no average of averages): a strategy's progress is that of all its initiatives.
* **Physical progress** = sum(weight x progress) / sum(weight) over the included initiatives.
  The weight is the initiative's **programmed cost** (the known amounts of all its funding
  lines, whatever their stage). An included initiative **without a known cost** weighs the
  **mean programmed cost of the included initiatives of the same group that have one**, so it
  counts as much as an average costed initiative of that group; when none of them has a known
  cost, every included initiative weighs the same (a plain mean).
* **Programmed** investment = the known amounts of all the included initiatives' lines;
  **executed** = the known amounts of their *ejecutado* lines. **Financial progress** =
  executed / programmed; none ("sin montos informados", never 0 %) when nothing programmed is
  known. Executed without any known programmed amount cannot happen: an executed line is
  programmed money too.
* **Counts by status** cover every initiative of the group that is not archived.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from geo.domain import STATUSES
from geo.evaluation.snapshot import InitiativeState

log = logging.getLogger(__name__)

#: Why an initiative is left out of the percentages.
EXCLUSIONS: dict[str, str] = {
    "sin_informacion": "sin información",
    "suspendido": "suspendidas",
    "archivada": "archivadas (descartadas)",
}

#: How the physical progress of a group was weighted.
WEIGHTINGS: dict[str, str] = {
    "costo": "ponderado por costo programado",
    "mixto": "ponderado por costo; sin costo conocido pesan el costo medio del grupo",
    "iguales": "pesos iguales (ninguna tiene costo conocido)",
}


def exclusion(state: InitiativeState) -> str | None:
    """Why ``state`` is left out of the percentages (a key of :data:`EXCLUSIONS`), or None."""
    if state.archived:
        return "archivada"
    if state.status in ("sin_informacion", "suspendido") or state.progress_pct is None:
        return "suspendido" if state.status == "suspendido" else "sin_informacion"
    return None


@dataclass
class Rollup:
    """The figures of one group of initiatives (a program, plan, strategy or the whole plan)."""

    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    included: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    physical_pct: float | None = None
    weighting: str | None = None
    planned_clp: int | None = None
    executed_clp: int | None = None

    @property
    def financial_pct(self) -> float | None:
        """Executed / programmed (%), None when nothing programmed is known."""
        if not self.planned_clp:
            return None
        return 100.0 * (self.executed_clp or 0) / self.planned_clp

    @property
    def excluded_total(self) -> int:
        """How many initiatives are left out of the percentages."""
        return sum(self.excluded.values())

    def as_json(self) -> dict[str, Any]:
        """Plain dict for ``--json`` (percentages rounded to one decimal)."""
        return {
            "total": self.total,
            "by_status": self.by_status,
            "included": self.included,
            "excluded": self.excluded,
            "excluded_total": self.excluded_total,
            "physical_pct": None if self.physical_pct is None else round(self.physical_pct, 1),
            "weighting": self.weighting,
            "financial_pct": None if self.financial_pct is None else round(self.financial_pct, 1),
            "planned_clp": self.planned_clp,
            "executed_clp": self.executed_clp,
        }


def _sum_known(values: Iterable[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def rollup(states: Iterable[InitiativeState]) -> Rollup:
    """The figures of a group from its leaf initiatives (the rules of this module)."""
    group = list(states)
    out = Rollup(total=len(group))
    for code in STATUSES:
        n = sum(1 for s in group if s.status == code and not s.archived)
        if n:
            out.by_status[code] = n
    included = []
    for s in group:
        reason = exclusion(s)
        if reason is None:
            included.append(s)
        else:
            out.excluded[reason] = out.excluded.get(reason, 0) + 1
    out.included = len(included)
    if not included:
        return out
    costs = [s.planned_clp for s in included]
    known = [c for c in costs if c]
    if not known:
        weights = [1.0] * len(included)
        out.weighting = "iguales"
    else:
        mean = sum(known) / len(known)
        weights = [float(c) if c else mean for c in costs]
        out.weighting = "costo" if len(known) == len(included) else "mixto"
    total_weight = sum(weights)
    out.physical_pct = (
        sum(w * (s.progress_pct or 0) for w, s in zip(weights, included, strict=True)) / total_weight
    )
    out.planned_clp = _sum_known(costs)
    out.executed_clp = _sum_known(s.executed_clp for s in included)
    if out.planned_clp is not None and out.executed_clp is None:
        out.executed_clp = 0  # programmed amounts known, none of them spent: a real 0
    return out
