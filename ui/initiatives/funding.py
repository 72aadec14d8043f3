"""The funding lines of the initiative form: one row per line in a ``st.data_editor``.

Sources and stages are chosen from lists (Spanish labels); year and amount are typed as
text and read by the same parsers as the spreadsheet (``$ 12.500.000``, ``2016``) when the
form is saved (:func:`geo.initiatives.funding.read_lines`), so a wrong value is refused
with the line and the field named, and nothing is written.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from geo.domain import FUNDING_LINE_SOURCES, FUNDING_STAGES, format_clp
from geo.initiatives.funding import LINE_FIELDS, FundingLineInput, read_lines
from geo.investment import labels as L

log = logging.getLogger(__name__)

_COLUMNS = list(LINE_FIELDS)


def _text(value: object) -> str | None:
    """A cell as the editor shows it (empty: None)."""
    if value is None or value != value or str(value).strip() == "":
        return None
    return str(value)


def _frame(lines: Sequence[FundingLineInput]) -> pd.DataFrame:
    rows = []
    for ln in lines:
        amount = ln.amount_clp
        rows.append(
            {
                "source": FUNDING_LINE_SOURCES.get(str(ln.source), _text(ln.source)),
                "source_detail": _text(ln.source_detail),
                "year": _text(ln.year),
                "amount_clp": format_clp(amount) if isinstance(amount, int) else _text(amount),
                "stage": FUNDING_STAGES.get(str(ln.stage), _text(ln.stage)),
            }
        )
    return pd.DataFrame(rows, columns=_COLUMNS).astype(object)


def funding_editor(lines: Sequence[FundingLineInput], key: str) -> tuple[FundingLineInput, ...]:
    """The lines table (add a row for a new line, select rows and delete to remove them)."""
    st.markdown("**Financiamiento** (una fila por línea: fuente, año, monto y etapa)")
    edited = st.data_editor(
        _frame(lines),
        key=key,
        num_rows="dynamic",
        hide_index=True,
        placeholder="",  # an empty cell is one nothing was typed in, not Streamlit's «None»
        width="stretch",
        column_config={
            "source": st.column_config.SelectboxColumn(
                LINE_FIELDS["source"], options=list(FUNDING_LINE_SOURCES.values()), width=85
            ),
            "source_detail": st.column_config.TextColumn(
                "Detalle", help="El ministerio o servicio de una fuente Sectorial.", width=80
            ),
            "year": st.column_config.TextColumn(
                LINE_FIELDS["year"], help="Año de la línea, p. ej. 2016.", width=55
            ),
            "amount_clp": st.column_config.TextColumn(
                "Monto",
                help="Pesos enteros: $ 12.500.000; vacío = monto no informado (nunca $ 0).",
                width=100,
            ),
            "stage": st.column_config.SelectboxColumn(
                LINE_FIELDS["stage"], options=list(FUNDING_STAGES.values()), width=85
            ),
        },
    )
    typed = tuple(
        FundingLineInput(r["source"], r["source_detail"], r["year"], r["amount_clp"], r["stage"])
        for r in edited.to_dict("records")
    )
    st.caption("Total de las líneas: " + lines_total(typed))
    return typed


def lines_total(lines: Sequence[FundingLineInput]) -> str:
    """The sum of the known amounts as typed (or why it cannot be summed yet)."""
    read, problems = read_lines(lines)
    if problems:
        return "se calcula al corregir las líneas con errores"
    known = [ln.amount_clp for ln in read if ln.amount_clp is not None]
    return L.money(sum(known)) if known else L.NO_AMOUNTS


def lines_text(lines: Sequence[FundingLineInput] | None) -> str:
    """Lines in one text for the conflict panel (as typed when they cannot be read)."""
    if not lines:
        return ""
    read, problems = read_lines(lines)
    if problems:
        return "; ".join(" · ".join(str(v) for v in ln.__dict__.values() if _text(v)) for ln in lines)
    return "; ".join(
        L.line_label(ln.source, ln.source_detail, ln.year, ln.amount_clp, ln.stage) for ln in read
    )
