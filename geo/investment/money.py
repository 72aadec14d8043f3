"""An initiative's money as its funding lines give it: its total and its sources (issue 11).

The one SQL every page, export and report uses for "how much, and from where" of an
initiative: the total is the sum of the known amounts of its lines, NULL when no line has
an amount (shown as "sin montos informados", never $ 0); the sources are its lines'
sources as a person reads them (``FNDR, Sectorial (MINVU)``). The lines themselves, with
their years and stages, are read by :func:`geo.investment.lines.funding_lines`.
"""

from __future__ import annotations

import logging

from geo.domain import FUNDING_LINE_SOURCES

log = logging.getLogger(__name__)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_NAME = (
    "CASE fl.source "
    + " ".join(f"WHEN {_literal(c)} THEN {_literal(n)}" for c, n in FUNDING_LINE_SOURCES.items())
    + " ELSE fl.source END"
)

#: A line's source as :func:`geo.investment.labels.source_label` writes it, for the line
#: aliased ``fl`` (NULL for a line with neither source nor detail).
SOURCE_LABEL_SQL = (
    f"CASE WHEN fl.source IS NULL THEN nullif(btrim(fl.source_detail), '') "
    f"WHEN nullif(btrim(fl.source_detail), '') IS NULL THEN {_NAME} "
    f"ELSE {_NAME} || ' (' || btrim(fl.source_detail) || ')' END"
)

#: ``LEFT JOIN LATERAL`` giving, for the initiative aliased ``i``: ``money.total_clp`` (the
#: sum of its lines' known amounts; NULL when none is known), ``money.sources`` (its lines'
#: sources, distinct, alphabetical, comma separated; NULL when none) and ``money.n_lines``.
MONEY_JOIN = f"""
LEFT JOIN LATERAL (
    SELECT sum(fl.amount_clp)::bigint AS total_clp,
           string_agg(DISTINCT {SOURCE_LABEL_SQL}, ', ' ORDER BY {SOURCE_LABEL_SQL}) AS sources,
           count(*) AS n_lines
      FROM funding_line fl
     WHERE fl.initiative_id = i.id) money ON true
"""
