"""Funding lines as a person types them: the one reader of the form's and the spreadsheet's lines.

A line is source, detail of the source, year, amount and stage (issue 11). Each value is read
with the parser of its kind (:mod:`geo.values`: amounts like ``$ 12.500.000``, years like
``2016``); lists (source, stage) accept the code or the Spanish label. An amount left blank is
an amount not informed (never $ 0). A line left wholly blank is no line (the form's empty
rows); any other problem is a :class:`LineProblem` that names the field.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from geo.domain import FUNDING_LINE_SOURCES, FUNDING_STAGES
from geo.store.funding import FundingLineValues
from geo.territory.gazetteer import normalize
from geo.values import ValueProblem, parse_amount, parse_text, parse_year

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Spanish name of each value of a line, in the order the form and the sheet show them.
LINE_FIELDS: dict[str, str] = {
    "source": "Fuente",
    "source_detail": "Detalle de la fuente",
    "year": "Año",
    "amount_clp": "Monto (CLP)",
    "stage": "Etapa",
}

#: Longest detail of a source (a ministry or service, or a free text of "Otro").
DETAIL_MAX = 200


@dataclass(frozen=True)
class FundingLineInput:
    """One line as typed: any cell may be text, a number or empty."""

    source: object = None
    source_detail: object = None
    year: object = None
    amount_clp: object = None
    stage: object = None

    def blank(self) -> bool:
        """Whether nothing was typed in the line."""
        return all(v is None or v != v or str(v).strip() == "" for v in self.__dict__.values())


class LineProblem(ValueProblem):
    """A value of a line that cannot be read: ``field`` (a key of :data:`LINE_FIELDS`) and why."""

    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field = field

    def describe(self) -> str:
        """``Monto (CLP): no se entiende «doce».``."""
        return f"{LINE_FIELDS[self.field]}: {self}"


def choice_code(value: object, choices: Mapping[str, str], what: str) -> str | None:
    """The code of a list written as its code or its label (case and accents ignored); blank is None."""
    if value is None or value != value:
        return None
    raw = str(value).strip()
    if not raw:
        return None
    wanted = normalize(raw)
    for code, label in choices.items():
        if wanted in (normalize(code), normalize(label)):
            return code
    raise ValueProblem(f"{what} «{raw}» no está en la lista ({', '.join(choices.values())}).")


def _read(field: str, parse: Callable[[object], T], value: object) -> T:
    try:
        return parse(value)
    except ValueProblem as exc:
        raise LineProblem(field, str(exc)) from None


def read_line(line: FundingLineInput) -> FundingLineValues:
    """The values of one line, or :class:`LineProblem` for the first value that cannot be read."""
    line = FundingLineInput(*(None if v is None or v != v else v for v in line.__dict__.values()))
    source = _read("source", lambda v: choice_code(v, FUNDING_LINE_SOURCES, "la fuente"), line.source)
    detail = _read("source_detail", lambda v: parse_text(v, DETAIL_MAX), line.source_detail)
    year = _read("year", parse_year, line.year)
    amount = _read("amount_clp", parse_amount, line.amount_clp)
    stage = _read("stage", lambda v: choice_code(v, FUNDING_STAGES, "la etapa"), line.stage)
    if stage is None:
        raise LineProblem("stage", f"es obligatoria ({', '.join(FUNDING_STAGES.values())}).")
    return FundingLineValues(source, detail, year, amount, stage)


def read_lines(lines: Sequence[FundingLineInput]) -> tuple[list[FundingLineValues], list[str]]:
    """The lines that were typed, and one Spanish message per wrong line ("línea 2, Monto (CLP): …")."""
    out: list[FundingLineValues] = []
    errors: list[str] = []
    for n, line in enumerate(lines, start=1):
        if line.blank():
            continue
        try:
            out.append(read_line(line))
        except LineProblem as exc:
            errors.append(f"línea {n}, {exc.describe()}")
    return out, errors
