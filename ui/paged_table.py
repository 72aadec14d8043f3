"""A table shown one page at a time: the browser receives only the rows on screen."""

from __future__ import annotations

import logging
import math

import pandas as pd
import streamlit as st

from geo.domain import format_int

log = logging.getLogger(__name__)

#: Rows per page of the on-screen tables (the CSV download carries every row).
PAGE_ROWS = 25
_ROW_PX = 35


def paged_table(df: pd.DataFrame, key: str, rows: int = PAGE_ROWS) -> pd.DataFrame:
    """Show ``df`` a page of ``rows`` at a time, with a page selector; return the page shown.

    ``st.dataframe`` sends every row it is given over the websocket (at 10,000 initiatives
    the whole table doubled what the browser received: bench/), so only one page is sent.
    The page number is kept per ``key`` and brought back into range when the rows shrink
    (a filter change).
    """
    n = len(df)
    pages = max(1, math.ceil(n / rows))
    if int(st.session_state.get(key, 1)) > pages:
        st.session_state[key] = pages
    left, right = st.columns([1, 4], vertical_alignment="bottom")
    page = int(
        left.number_input(f"Página (de {format_int(pages)})", min_value=1, max_value=pages, step=1, key=key)
    )
    start = (page - 1) * rows
    shown = df.iloc[start : start + rows]
    right.caption(
        f"Filas {format_int(start + 1 if n else 0)}–{format_int(start + len(shown))} de {format_int(n)}. "
        "Ordenar una columna ordena esta página; la descarga CSV incluye todas las filas."
    )
    st.dataframe(shown, hide_index=True, width="stretch", height=_ROW_PX * (len(shown) + 1) + 3)
    return shown
