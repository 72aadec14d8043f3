"""Funding lines: the amounts that investment is made of, and their filters.

Issue 11 gives every initiative funding lines (source, year, amount, stage): the table
``funding_line``, written only with its initiative (:mod:`geo.store.funding`).
:func:`funding_lines` is the one place that turns the database into lines for the
attribution, the page, the CLI and the Ficha; :mod:`geo.investment.money` gives one
initiative's total and sources to every other page and export.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import Connection, text

from geo.initiatives.filters import FILTERED_SQL, MapFilters, filter_params
from geo.investment.labels import NO_SOURCE, NO_STAGE

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InvestmentFilters:
    """The shared filters of every page plus what only investment has.

    ``year_from``/``year_to``: keep lines of those years (inclusive; a line without a year
    leaves as soon as either bound is set). ``sources``/``stages``: keep lines of those
    sources/stages; :data:`~geo.investment.labels.NO_SOURCE` and
    :data:`~geo.investment.labels.NO_STAGE` select the lines without one. Empty means all.
    """

    map: MapFilters = field(default_factory=MapFilters)
    year_from: int | None = None
    year_to: int | None = None
    sources: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()

    def key(self) -> tuple:
        """A hashable key for caches (:meth:`from_key` gives the filters back)."""
        return (self.map.key(), self.year_from, self.year_to, self.sources, self.stages)

    @classmethod
    def from_key(cls, key: tuple) -> InvestmentFilters:
        """The filters of a :meth:`key`."""
        m, year_from, year_to, sources, stages = key
        return cls(MapFilters(*m), year_from, year_to, tuple(sources), tuple(stages))

    @property
    def narrows_lines(self) -> bool:
        """Whether a line filter (years, sources, stages) is set."""
        return bool(self.year_from is not None or self.year_to is not None or self.sources or self.stages)

    def keeps(self, line: FundingLine) -> bool:
        """Whether ``line`` passes the year, source and stage filters."""
        if self.year_from is not None and (line.year is None or line.year < self.year_from):
            return False
        if self.year_to is not None and (line.year is None or line.year > self.year_to):
            return False
        if self.sources and (line.source or NO_SOURCE) not in self.sources:
            return False
        return not self.stages or (line.stage or NO_STAGE) in self.stages


@dataclass(frozen=True)
class FundingLine:
    """One amount of an initiative: its source (code and detail), year, stage and CLP.

    ``amount_clp`` None: the line's amount is not informed; such a line names a source and a
    stage but is never summed (nor shown as $ 0).
    """

    initiative_id: int
    source: str | None
    year: int | None
    stage: str | None
    amount_clp: int | None
    source_detail: str | None = None


def funding_lines(conn: Connection, filters: InvestmentFilters) -> list[FundingLine]:
    """The funding lines of the initiatives in view, narrowed by year, source and stage.

    Every line of ``funding_line``, with its source code (or None), year, stage and amount;
    lines without an amount are included (they name sources) and
    :func:`known_amounts` keeps the ones to sum.
    """
    rows = conn.execute(
        text(
            f"""
            WITH sel AS ({FILTERED_SQL})
            SELECT fl.initiative_id, fl.source, fl.year, fl.stage, fl.amount_clp,
                   nullif(btrim(fl.source_detail), '')
              FROM sel JOIN funding_line fl ON fl.initiative_id = sel.id
             ORDER BY fl.initiative_id, fl.id
            """
        ),
        filter_params(filters.map),
    ).all()
    lines = [
        FundingLine(int(r[0]), r[1], r[2], r[3], None if r[4] is None else int(r[4]), r[5]) for r in rows
    ]
    return [ln for ln in lines if filters.keeps(ln)]


def known_amounts(lines: list[FundingLine]) -> list[FundingLine]:
    """The lines whose amount is informed: the only ones that are summed."""
    return [ln for ln in lines if ln.amount_clp is not None]


def line_years(conn: Connection, filters: InvestmentFilters) -> list[int]:
    """The years of the lines in view before the year filter (the bounds of the page's slider)."""
    unbounded = InvestmentFilters(filters.map, sources=filters.sources, stages=filters.stages)
    return sorted({ln.year for ln in funding_lines(conn, unbounded) if ln.year is not None})
