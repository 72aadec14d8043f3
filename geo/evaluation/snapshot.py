"""What the evaluation reads of each initiative, from the live data or from a closed cut.

Both readers give the same :class:`InitiativeState` list, so every figure of the page, of
``sit evaluation`` and of the report is computed the same way whatever it answers for; closing
a cut writes :func:`live_states` into the ``cut_*`` tables (:mod:`geo.store.evaluation`), so a
cut answers later exactly what the live data answered when it was closed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from geo.errors import DataError
from geo.evaluation.progress import SUSPENDED, effective_progress

log = logging.getLogger(__name__)

#: The stage of a funding line whose money was spent.
EXECUTED_STAGE = "ejecutado"


@dataclass(frozen=True)
class Line:
    """A funding line: source, detail, year, amount (None: not informed) and stage."""

    source: str | None
    source_detail: str | None
    year: int | None
    amount_clp: int | None
    stage: str


@dataclass(frozen=True)
class InitiativeState:
    """An initiative as the evaluation sees it (live, or as a cut froze it)."""

    id: int
    code: str
    name: str
    kind: str
    scope: str
    strategy: str
    plan: str | None
    program: str | None
    status: str
    progress_pct: int | None
    progress_source: str | None
    archived: bool
    is_demo: bool
    lines: tuple[Line, ...] = ()
    territories: tuple[tuple[int, float | None], ...] = ()

    @property
    def suspended(self) -> bool:
        """Whether the initiative is suspended (its progress is kept and flagged)."""
        return self.status == SUSPENDED

    @property
    def planned_clp(self) -> int | None:
        """Programmed cost: the known amounts of all its lines, any stage; None: none known."""
        known = [ln.amount_clp for ln in self.lines if ln.amount_clp is not None]
        return sum(known) if known else None

    @property
    def executed_clp(self) -> int | None:
        """Executed: the known amounts of its ``ejecutado`` lines; None: no such amount known."""
        known = [
            ln.amount_clp for ln in self.lines if ln.amount_clp is not None and ln.stage == EXECUTED_STAGE
        ]
        return sum(known) if known else None

    def as_json(self) -> dict[str, Any]:
        """Plain dict (no lines or territories) for ``--json`` and the annex."""
        return {
            "id": self.id,
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "scope": self.scope,
            "strategy": self.strategy,
            "plan": self.plan,
            "program": self.program,
            "status": self.status,
            "progress_pct": self.progress_pct,
            "progress_source": self.progress_source,
            "suspended": self.suspended,
            "archived": self.archived,
            "is_demo": self.is_demo,
            "planned_clp": self.planned_clp,
            "executed_clp": self.executed_clp,
            "territory_ids": [t for t, _ in self.territories],
        }


_LIVE_SQL = """
SELECT i.id, i.code, i.name, i.kind, i.scope, s.code AS strategy, p.code AS plan, g.code AS program,
       i.status, i.progress_pct, i.archived_at IS NOT NULL AS archived, i.is_demo,
       (SELECT h.from_status FROM status_history h
         WHERE h.initiative_id = i.id AND h.to_status = 'suspendido'
         ORDER BY h.changed_at DESC, h.id DESC LIMIT 1) AS before_suspension
  FROM initiative i
  JOIN strategy s ON s.id = i.strategy_id
  LEFT JOIN plan p ON p.id = i.plan_id
  LEFT JOIN program g ON g.id = i.program_id
 WHERE i.is_demo = false OR :with_demo
 ORDER BY s.position, i.code
"""


def _lines_and_territories(
    conn: Connection, lines_sql: str, territories_sql: str, params: dict[str, Any]
) -> tuple[dict[int, list[Line]], dict[int, list[tuple[int, float | None]]]]:
    lines: dict[int, list[Line]] = defaultdict(list)
    for iid, source, detail, year, amount, stage in conn.execute(text(lines_sql), params):
        lines[iid].append(Line(source, detail, year, None if amount is None else int(amount), stage))
    territories: dict[int, list[tuple[int, float | None]]] = defaultdict(list)
    for iid, tid, weight in conn.execute(text(territories_sql), params):
        territories[iid].append((tid, None if weight is None else float(weight)))
    return lines, territories


def live_states(conn: Connection, *, with_demo: bool = False) -> list[InitiativeState]:
    """Every initiative as it is now (demo ones only when ``with_demo``)."""
    params = {"with_demo": with_demo}
    lines, territories = _lines_and_territories(
        conn,
        "SELECT fl.initiative_id, fl.source, fl.source_detail, fl.year, fl.amount_clp, fl.stage "
        "FROM funding_line fl JOIN initiative i ON i.id = fl.initiative_id "
        "WHERE i.is_demo = false OR :with_demo ORDER BY fl.initiative_id, fl.id",
        "SELECT it.initiative_id, it.territory_id, it.weight FROM initiative_territory it "
        "JOIN initiative i ON i.id = it.initiative_id "
        "WHERE i.is_demo = false OR :with_demo ORDER BY 1, 2",
        params,
    )
    states = []
    for r in conn.execute(text(_LIVE_SQL), params).mappings():
        progress = effective_progress(r["status"], r["progress_pct"], r["before_suspension"])
        states.append(
            _state(
                {**r, "progress_pct": progress.pct, "progress_source": progress.source}, lines, territories
            )
        )
    return states


def _state(
    r: Any, lines: dict[int, list[Line]], territories: dict[int, list[tuple[int, float | None]]]
) -> InitiativeState:
    """An initiative's state from a row with the fields' names (and its lines and territories)."""
    return InitiativeState(
        **{f: r[f] for f in _ROW_FIELDS},
        lines=tuple(lines.get(r["id"], ())),
        territories=tuple(territories.get(r["id"], ())),
    )


_ROW_FIELDS = (
    "id",
    "code",
    "name",
    "kind",
    "scope",
    "strategy",
    "plan",
    "program",
    "status",
    "progress_pct",
    "progress_source",
    "archived",
    "is_demo",
)


def cut_states(conn: Connection, cut_id: int) -> list[InitiativeState]:
    """Every initiative as the cut ``cut_id`` froze it (refused for a cut not closed)."""
    state = conn.execute(text("SELECT state FROM evaluation_cut WHERE id = :c"), {"c": cut_id}).scalar()
    if state is None:
        raise DataError(f"El corte de evaluación n.º {cut_id} no existe.")
    if state != "cerrada":
        raise DataError(
            f"El corte de evaluación n.º {cut_id} es un borrador: aún no congeló nada. "
            "Ciérrelo para evaluarlo, o evalúe los datos vigentes."
        )
    params = {"c": cut_id}
    lines, territories = _lines_and_territories(
        conn,
        "SELECT initiative_id, source, source_detail, year, amount_clp, stage FROM cut_funding_line "
        "WHERE cut_id = :c ORDER BY initiative_id, id",
        "SELECT initiative_id, territory_id, weight FROM cut_territory WHERE cut_id = :c ORDER BY 1, 2",
        params,
    )
    rows = conn.execute(
        text(
            """
            SELECT ci.initiative_id AS id, ci.code, ci.name, ci.kind, ci.scope, ci.strategy_code AS strategy,
                   ci.plan_code AS plan, ci.program_code AS program, ci.status, ci.progress_pct,
                   ci.progress_source, ci.archived, ci.is_demo
              FROM cut_initiative ci LEFT JOIN strategy s ON s.code = ci.strategy_code
             WHERE ci.cut_id = :c ORDER BY s.position NULLS LAST, ci.code
            """
        ),
        params,
    ).mappings()
    return [_state(r, lines, territories) for r in rows]


def initiative_version(conn: Connection, initiative_id: int) -> int:
    """The version of an initiative now (what a save of its progress must present)."""
    version = conn.execute(
        text("SELECT version FROM initiative WHERE id = :i"), {"i": initiative_id}
    ).scalar()
    if version is None:
        raise DataError(f"La iniciativa n.º {initiative_id} no existe.")
    return int(version)
