"""How investment figures read for people (es-CL): amounts, per inhabitant, row names.

Where no amount is known the pages, the CLI and the Ficha say :data:`NO_AMOUNTS`, never
"$ 0": the PLADECO gives no amounts, and a zero would claim that nothing is spent.
"""

from __future__ import annotations

import logging

from geo.domain import FUNDING_LINE_SOURCES, FUNDING_STAGES, format_clp, format_clp_millions, format_int

log = logging.getLogger(__name__)

#: What is shown where no amount is known (never "$ 0").
NO_AMOUNTS = "sin montos informados"
#: What is shown per inhabitant where the territory has no population figure.
NO_POPULATION = "sin población informada"

#: Stages of a funding line (issue 11), in their order.
STAGES: dict[str, str] = FUNDING_STAGES
#: What one line without an amount shows (never "$ 0").
NO_LINE_AMOUNT = "sin monto informado"
#: Filter code and label of the lines without a source or without a stage.
NO_SOURCE = "sin_fuente"
NO_SOURCE_LABEL = "Sin fuente informada"
NO_STAGE = "sin_etapa"
NO_STAGE_LABEL = "Sin etapa informada"
NO_YEAR_LABEL = "Sin año informado"

#: Kinds of row of the report: the UVs and the three rows outside them add up to the
#: total; localities are shown but not summed (they lie inside rural UVs).
ROW_KINDS: dict[str, str] = {
    "unidad_vecinal": "Unidad vecinal",
    "localidad": "Localidad rural",
    "comunal": "Comunal (no territorializable)",
    "fuera_comuna": "Fuera de la comuna",
    "sin_territorio": "Sin territorio",
}
SUMMED_KINDS = ("unidad_vecinal", "comunal", "fuera_comuna", "sin_territorio")

#: Label of the amount of every initiative touching a territory (counted in each one).
TOUCHING_LABEL = "Monto total de las iniciativas que la tocan (no sumable)"


def money(amount: int | None) -> str:
    """``$ 12.500.000``, or :data:`NO_AMOUNTS` when nothing is known (``None``)."""
    return NO_AMOUNTS if amount is None else format_clp(amount)


def millions(amount: int | None) -> str:
    """``$ 56.928 millones`` for a headline, or :data:`NO_AMOUNTS`."""
    return NO_AMOUNTS if amount is None else format_clp_millions(amount)


def per_inhabitant(value: float | None, has_amounts: bool = True) -> str:
    """``$ 1.234`` per inhabitant; :data:`NO_AMOUNTS` or :data:`NO_POPULATION` when unknown."""
    if not has_amounts:
        return NO_AMOUNTS
    return NO_POPULATION if value is None else format_clp(value)


def count(n: int) -> str:
    """An integer with the es-CL thousands separator."""
    return format_int(n)


def source_label(source: str | None, detail: str | None = None) -> str:
    """A line's funding source in Spanish (``Sectorial (MINVU)`` with its detail), or :data:`NO_SOURCE_LABEL`.

    :data:`geo.investment.money.SOURCES_SQL` writes the same text in SQL (a test ties them).
    """
    name = FUNDING_LINE_SOURCES.get(source, source) if source else None
    if name and detail:
        return f"{name} ({detail})"
    return name or detail or NO_SOURCE_LABEL


def stage_label(stage: str | None) -> str:
    """A line's stage in Spanish, or :data:`NO_STAGE_LABEL`."""
    return STAGES.get(stage, stage) if stage else NO_STAGE_LABEL


def year_label(year: int | None) -> str:
    """A line's year, or :data:`NO_YEAR_LABEL`."""
    return str(year) if year is not None else NO_YEAR_LABEL


def line_label(
    source: str | None, detail: str | None, year: int | None, amount: int | None, stage: str | None
) -> str:
    """One funding line in a sentence: ``FNDR, 2016, $ 12.500.000, Aprobado``."""
    shown = NO_LINE_AMOUNT if amount is None else format_clp(amount)
    return ", ".join((source_label(source, detail), year_label(year), shown, stage_label(stage)))
