"""The evaluation of the PLADECO for the live data or a closed cut, computed once here.

What the page, ``sit evaluation --json`` and the «Informe de avance» all show.

Per strategy, plan and program: counts by status, physical and financial progress, programmed
and executed investment (:mod:`geo.evaluation.rollup`); territorial and social views
(:mod:`geo.evaluation.territorial`); every initiative with its effective progress; and the
finished and ongoing investment with its funding sources (Ley 18.695, art. 67, b and c).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, text

from geo.domain import FUNDING_LINE_SOURCES, LOCAL_TZ
from geo.evaluation.progress import progress_table
from geo.evaluation.rollup import EXCLUSIONS, WEIGHTINGS, rollup
from geo.evaluation.snapshot import InitiativeState, cut_states, live_states
from geo.evaluation.territorial import Territory, by_sector, by_territory, social
from geo.territory.population import population_table

log = logging.getLogger(__name__)

#: The rules as the page and the report write them (one text, shown in both).
RULES: tuple[str, ...] = (
    "El avance físico de una iniciativa es el registrado por SECPLAC; si no se registró, se toma de "
    "su estado según la tabla.",
    "Cada nivel (programa, plan, estrategia, PLADECO) se calcula con sus iniciativas, nunca como "
    "promedio de promedios.",
    "El avance físico se pondera por el costo programado de cada iniciativa (suma de los montos "
    "conocidos de todas sus líneas de financiamiento, en cualquier etapa). Una iniciativa sin costo "
    "conocido pesa el costo medio de las iniciativas del mismo grupo que sí lo tienen; si ninguna lo "
    "tiene, todas pesan lo mismo.",
    "Avance financiero = monto ejecutado / monto programado (líneas en etapa «Ejecutado» sobre todas "
    "las líneas). Sin montos conocidos se informa «sin montos informados», nunca 0 %.",
    "Las iniciativas sin información, suspendidas o archivadas (descartadas) quedan fuera de los "
    "porcentajes y de los montos, y se cuentan aparte («n excluidas»).",
)
#: Statuses of the Cuenta Pública's investment: finished and ongoing projects.
FINISHED_ONGOING = ("terminado", "en_ejecucion")


@dataclass
class Evaluation:
    """Everything the evaluation says, as plain data (:meth:`as_json`)."""

    source: dict[str, Any]
    summary: dict[str, Any]
    strategies: list[dict[str, Any]]
    territorial: dict[str, Any]
    social: dict[str, Any]
    investment: list[dict[str, Any]]
    initiatives: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """Plain dict for ``sit evaluation --json``."""
        return {
            "source": self.source,
            "rules": list(RULES),
            "progress_table": [{"status": s, "progress": p} for s, p in progress_table()],
            "exclusions": EXCLUSIONS,
            "weightings": WEIGHTINGS,
            "summary": self.summary,
            "strategies": self.strategies,
            "territorial": self.territorial,
            "social": self.social,
            "investment": self.investment,
            "initiatives": self.initiatives,
        }


def _catalogue(
    conn: Connection,
) -> tuple[list[tuple[str, str]], dict[str, list[tuple[str, str]]], dict[str, str]]:
    strategies = [(c, n) for c, n in conn.execute(text("SELECT code, name FROM strategy ORDER BY position"))]
    plans: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s, c, n in conn.execute(
        text(
            "SELECT s.code, p.code, p.name FROM plan p JOIN strategy s ON s.id = p.strategy_id "
            "ORDER BY p.position"
        )
    ):
        plans[s].append((c, n))
    programs = {c: n or "" for c, n in conn.execute(text("SELECT code, name FROM program"))}
    return strategies, plans, programs


def uv_territories(conn: Connection) -> dict[int, Territory]:
    """Every located UV with its population and census age groups (as Brechas shows them)."""
    return {
        r["id"]: Territory(r["id"], r["code"], r["name"], r["sector"], r["population"], r["ages"] or {})
        for r in population_table(conn).rows
        if r["kind"] == "unidad_vecinal"
    }


def _source(conn: Connection, cut_id: int | None) -> dict[str, Any]:
    if cut_id is None:
        return {"kind": "vigente", "label": f"Datos vigentes al {datetime.now(LOCAL_TZ):%d-%m-%Y}"}
    row = conn.execute(text("SELECT * FROM evaluation_cut WHERE id = :c"), {"c": cut_id}).mappings().one()
    day: date = row["cut_date"]
    return {
        "kind": "corte",
        "cut_id": cut_id,
        "cut_date": day.isoformat(),
        "closed_by": row["closed_by"],
        "closed_at": None if row["closed_at"] is None else row["closed_at"].astimezone(LOCAL_TZ).isoformat(),
        "note": row["note"],
        "with_demo": row["with_demo"],
        "label": f"Corte n.º {cut_id}: estado al {day:%d-%m-%Y}",
    }


def _investment(states: list[InitiativeState]) -> list[dict[str, Any]]:
    """Finished and ongoing initiatives (not archived) with their money by funding source."""
    rows = []
    for s in states:
        if s.archived or s.status not in FINISHED_ONGOING:
            continue
        by_source: dict[str, int] = defaultdict(int)
        for ln in s.lines:
            if ln.amount_clp is not None:
                name = FUNDING_LINE_SOURCES.get(ln.source or "", ln.source_detail or "Sin fuente")
                by_source[name] += ln.amount_clp
        rows.append(
            {
                "code": s.code,
                "name": s.name,
                "strategy": s.strategy,
                "status": s.status,
                "planned_clp": s.planned_clp,
                "executed_clp": s.executed_clp,
                "sources": dict(sorted(by_source.items())),
            }
        )
    return rows


def evaluation(conn: Connection, cut_id: int | None = None, *, with_demo: bool = False) -> Evaluation:
    """The evaluation of the live data (demo initiatives only with ``with_demo``) or of a closed cut."""
    states = live_states(conn, with_demo=with_demo) if cut_id is None else cut_states(conn, cut_id)
    strategies, plans, programs = _catalogue(conn)
    uvs = uv_territories(conn)
    out = []
    for code, name in strategies:
        mine = [s for s in states if s.strategy == code]
        plan_rows = []
        for pcode, pname in plans.get(code, []):
            in_plan = [s for s in mine if s.plan == pcode]
            if not in_plan:
                continue
            program_rows = [
                {
                    "code": g,
                    "name": programs.get(g, ""),
                    **rollup(s for s in in_plan if s.program == g).as_json(),
                }
                for g in sorted({s.program for s in in_plan if s.program})
            ]
            plan_rows.append(
                {"code": pcode, "name": pname, **rollup(in_plan).as_json(), "programs": program_rows}
            )
        out.append({"code": code, "name": name, **rollup(mine).as_json(), "plans": plan_rows})
    return Evaluation(
        source=_source(conn, cut_id),
        summary=rollup(states).as_json(),
        strategies=out,
        territorial={"by_sector": by_sector(states, uvs), "by_territory": by_territory(states, uvs)},
        social=social(states, uvs, strategies),
        investment=_investment(states),
        initiatives=[s.as_json() for s in states],
    )
