"""The catalogue's code lists (strategy, plan, program): one query, for forms, filters and sheets."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Connection, text

from geo.domain import INITIATIVE_KINDS, STATUSES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Choice:
    """One entry of a code list: stored code, Spanish label, parent code (plan -> strategy)."""

    code: str
    label: str
    parent: str | None = None
    id: int | None = None
    name: str | None = None


def catalogue_levels(conn: Connection) -> dict[str, list[Choice]]:
    """Strategies, plans and programs in catalogue order, labelled ``code · name``.

    A program the plan leaves unnamed is labelled with its code alone.
    """

    def label(code: str, name: str | None) -> str:
        return f"{code} · {name}" if name else code

    rows = conn.execute(
        text(
            """
        SELECT 'strategy' AS level, s.id, s.code, s.name, NULL AS parent,
               s.position AS p1, 0 AS p2, 0 AS p3
          FROM strategy s
        UNION ALL
        SELECT 'plan', p.id, p.code, p.name, s.code, s.position, p.position, 0
          FROM plan p JOIN strategy s ON s.id = p.strategy_id
        UNION ALL
        SELECT 'program', g.id, g.code, g.name, p.code, s.position, p.position, g.position
          FROM program g JOIN plan p ON p.id = g.plan_id JOIN strategy s ON s.id = p.strategy_id
         ORDER BY p1, p2, p3
        """
        )
    ).all()
    out: dict[str, list[Choice]] = {"strategy": [], "plan": [], "program": []}
    for r in rows:
        out[r.level].append(Choice(r.code, label(r.code, r.name), r.parent, r.id, r.name))
    return out


def filter_options(conn: Connection) -> dict[str, list[tuple]]:
    """Choices for the shared filters as (code, label[, parent]) tuples, in catalogue order."""
    levels = catalogue_levels(conn)
    return {
        "strategies": [(c.code, c.label) for c in levels["strategy"]],
        "plans": [(c.code, c.label, c.parent) for c in levels["plan"]],
        "kinds": list(INITIATIVE_KINDS.items()),
        "statuses": list(STATUSES.items()),
    }


def catalogue_choices(conn: Connection) -> dict[str, list[tuple]]:
    """Strategies (code, label), plans (code, label, strategy) and programs (code, label, plan)."""
    levels = catalogue_levels(conn)
    return {
        "strategies": [(c.code, c.label) for c in levels["strategy"]],
        "plans": [(c.code, c.label, c.parent) for c in levels["plan"]],
        "programs": [
            (c.code, c.label if c.name else f"{c.code} · (programa sin nombre en el plan)", c.parent)
            for c in levels["program"]
        ],
    }
