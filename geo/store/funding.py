"""An initiative's funding lines, written as part of the initiative (issue 11).

The lines are no row of their own for a person: they are the initiative's money, so they
change with the initiative (:func:`geo.store.initiatives.save_initiatives`), under its
version, and one audit row of the initiative records them as the field ``funding``
(before and after as lists of :meth:`FundingLineValues.as_audit`). Nothing here checks a
role or opens a transaction: only the initiative's write path calls it, inside its own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from geo.store.bulk import rows_table

log = logging.getLogger(__name__)

#: PostgreSQL type of each column of a line (for :func:`geo.store.bulk.rows_table`).
_TYPES = {
    "initiative_id": "int",
    "source": "text",
    "source_detail": "text",
    "year": "smallint",
    "amount_clp": "bigint",
    "stage": "text",
}


@dataclass(frozen=True)
class FundingLineValues:
    """One funding line as written: source code (or None), its detail, year, amount, stage.

    ``amount_clp`` None is an amount not informed (never 0 for "unknown"); ``source`` is a
    code of :data:`geo.domain.FUNDING_LINE_SOURCES`, ``stage`` one of
    :data:`geo.domain.FUNDING_STAGES`.
    """

    source: str | None
    source_detail: str | None
    year: int | None
    amount_clp: int | None
    stage: str

    def normalised(self) -> FundingLineValues:
        """Blank text as no value and spaces around it dropped, as a person reads it."""
        detail = (self.source_detail or "").strip() or None
        return FundingLineValues(self.source or None, detail, self.year, self.amount_clp, self.stage)

    def as_audit(self) -> dict[str, Any]:
        """The line as the audit log and the history keep it."""
        return {
            "source": self.source,
            "source_detail": self.source_detail,
            "year": self.year,
            "amount_clp": self.amount_clp,
            "stage": self.stage,
        }

    @classmethod
    def from_audit(cls, value: dict[str, Any]) -> FundingLineValues:
        """A line back from :meth:`as_audit`."""
        return cls(
            value.get("source"),
            value.get("source_detail"),
            value.get("year"),
            value.get("amount_clp"),
            value.get("stage") or "",
        )


def _order(line: FundingLineValues) -> tuple:
    """Lines in the order they are kept and shown: by year, then source, stage, amount."""
    return (
        line.year is None,
        line.year or 0,
        line.source or "~",
        line.source_detail or "",
        line.stage,
        line.amount_clp is None,
        line.amount_clp or 0,
    )


def canonical(lines: Iterable[FundingLineValues]) -> list[FundingLineValues]:
    """``lines`` normalised and in their one order: two sets of lines compare as lists."""
    return sorted((ln.normalised() for ln in lines), key=_order)


def stored_lines(conn: Connection, initiative_ids: Sequence[int]) -> dict[int, list[FundingLineValues]]:
    """The stored lines of each initiative (every id present, an empty list for none)."""
    out: dict[int, list[FundingLineValues]] = {int(i): [] for i in initiative_ids}
    if not out:
        return out
    rows = conn.execute(
        text(
            "SELECT initiative_id, source, source_detail, year, amount_clp, stage FROM funding_line "
            "WHERE initiative_id = ANY(:ids) ORDER BY initiative_id, id"
        ),
        {"ids": sorted(out)},
    )
    for r in rows:
        out[int(r.initiative_id)].append(
            FundingLineValues(r.source, r.source_detail, r.year, r.amount_clp, r.stage)
        )
    return {i: canonical(lns) for i, lns in out.items()}


def lines_change(
    stored: Sequence[FundingLineValues], wanted: Sequence[FundingLineValues]
) -> list[list[dict[str, Any]]] | None:
    """``[before, after]`` as the audit keeps them, or None when ``wanted`` is what is stored."""
    before, after = canonical(stored), canonical(wanted)
    if before == after:
        return None
    return [[ln.as_audit() for ln in before], [ln.as_audit() for ln in after]]


def replace_lines(conn: Connection, lines: dict[int, Sequence[FundingLineValues]]) -> None:
    """Make each initiative's lines exactly ``lines[id]`` (one DELETE and one INSERT in all)."""
    if not lines:
        return
    conn.execute(text("DELETE FROM funding_line WHERE initiative_id = ANY(:ids)"), {"ids": sorted(lines)})
    rows = [{"initiative_id": iid, **ln.as_audit()} for iid in sorted(lines) for ln in canonical(lines[iid])]
    if not rows:
        return
    source, params = rows_table(_TYPES, rows)
    conn.execute(
        text(
            f"""
            INSERT INTO funding_line (initiative_id, source, source_detail, year, amount_clp, stage)
            SELECT v.initiative_id, v.source, v.source_detail, v.year, v.amount_clp, v.stage
              FROM {source} ORDER BY v.ord
            """
        ),
        params,
    )
