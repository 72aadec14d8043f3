"""Funding lines: the amounts that investment is made of, and their filters.

Issue 11 gives every initiative funding lines (source, year, amount, stage). The table does
not exist yet: today an initiative has one ``amount_clp`` and one ``funding_source``.
:func:`funding_lines` is the one place that turns the database into lines; when the
``funding_line`` table arrives, only its query changes, and the attribution, the page, the
CLI and the Ficha follow.
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
    """One amount of an initiative: its source, year, stage and CLP."""

    initiative_id: int
    source: str | None
    year: int | None
    stage: str | None
    amount_clp: int


def funding_lines(conn: Connection, filters: InvestmentFilters) -> list[FundingLine]:
    """The funding lines of the initiatives in view, narrowed by year, source and stage.

    Today each initiative with a known ``amount_clp`` gives one line: its ``funding_source``
    (or none), its ``start_year``, no stage. An initiative without an amount gives no line
    (it is never counted as $ 0). This is the one place where the future ``funding_line``
    table plugs in: replace the query, keep the result.
    """
    rows = conn.execute(
        text(
            f"""
            WITH sel AS ({FILTERED_SQL})
            SELECT i.id, nullif(btrim(i.funding_source), ''), i.start_year, NULL::text, i.amount_clp
              FROM sel JOIN initiative i ON i.id = sel.id
             WHERE i.amount_clp IS NOT NULL
             ORDER BY i.id
            """
        ),
        filter_params(filters.map),
    ).all()
    lines = [FundingLine(int(r[0]), r[1], r[2], r[3], int(r[4])) for r in rows]
    return [ln for ln in lines if filters.keeps(ln)]


def line_years(conn: Connection, filters: InvestmentFilters) -> list[int]:
    """The years of the lines in view before the year filter (the bounds of the page's slider)."""
    unbounded = InvestmentFilters(filters.map, sources=filters.sources, stages=filters.stages)
    return sorted({ln.year for ln in funding_lines(conn, unbounded) if ln.year is not None})
