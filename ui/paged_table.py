"""A table shown one page at a time: the browser receives only the rows on screen.

The table is plain HTML, not ``st.dataframe``: the data grid's JavaScript (about 1.5 MB: the
grid, Arrow, moment) is fetched and parsed the first time a page shows one, and on the Mapa
page that parse sat in front of the map's iframe (bench/README.md, issue 9). It goes out with
``st.html``, not ``st.markdown(..., unsafe_allow_html=True)``: Markdown passes raw HTML through
rehype-raw, a script chunk more and about 20 ms of the browser's main thread before the map
(the same table on screen; every cell is escaped here first, and Streamlit's DOMPurify
runs on top). Sorting is done here, on every row, not only on the page shown.
"""

from __future__ import annotations

import logging
import math
import unicodedata
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from geo.domain import format_int
from layers.sanitize import clean_text

log = logging.getLogger(__name__)

#: Rows per page of the on-screen tables (the CSV download carries every row).
PAGE_ROWS = 25
#: The "Ordenar por" choice that keeps the rows as the caller gave them.
GIVEN_ORDER = "Orden del plan"
#: Class of the table's container (tests and the page's CSS find it by this name).
TABLE_CLASS = "sit-tabla"

_CSS = (
    f"<style>.{TABLE_CLASS}{{overflow-x:auto;max-width:100%;margin:.25rem 0 1rem}}"
    f".{TABLE_CLASS} table{{border-collapse:collapse;font-size:.875rem;width:max-content;min-width:100%}}"
    f".{TABLE_CLASS} th{{position:sticky;top:0;background:#f0f2f6;text-align:left;"
    "font-weight:600;white-space:nowrap}"
    f".{TABLE_CLASS} th,.{TABLE_CLASS} td{{border:1px solid #e3e6ec;padding:.3rem .5rem;"
    "vertical-align:top}"
    f".{TABLE_CLASS} td{{max-width:22rem;min-width:4rem}}"
    f".{TABLE_CLASS} tbody tr:nth-child(even){{background:#fafbfc}}</style>"
)


def _text_key(values: pd.Series) -> pd.Series:
    """Text as a person sorts it: case and accents do not count (``Ñ`` after ``N``)."""

    def fold(v: object) -> str:
        if _missing(v):
            return ""
        text = str(v).casefold().replace("ñ", "n\uffff")
        return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))

    return values.map(fold)


def sort_rows(
    df: pd.DataFrame, column: str, descending: bool, keys: Mapping[str, pd.Series] | None = None
) -> pd.DataFrame:
    """``df`` sorted by ``column`` (every row; ties keep their order, empty values last).

    ``keys`` gives the values to sort a column by when the shown text does not sort
    (``Monto`` shown as ``$ 12.500.000`` sorts by the amount); aligned with ``df``'s index.
    """
    if column == GIVEN_ORDER or column not in df.columns:
        return df
    key = (keys or {}).get(column)
    if key is None:
        key = _text_key(df[column])
        empty = key.isin(["", "—"])
    else:
        key = key.reindex(df.index)
        empty = key.isna()
    order = key[~empty].sort_values(ascending=not descending, kind="stable").index
    return df.loc[order.append(key[empty].index)]


def table_html(df: pd.DataFrame, caption: str) -> str:
    """``df`` as an accessible HTML table, every cell and header escaped."""
    head = "".join(f'<th scope="col">{clean_text(c)}</th>' for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{clean_text('' if _missing(v) else v)}</td>" for v in row) + "</tr>"
        for row in df.itertuples(index=False, name=None)
    )
    return (
        f'{_CSS}<div class="{TABLE_CLASS}" role="region" tabindex="0" aria-label="{clean_text(caption)}">'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def paged_table(
    df: pd.DataFrame,
    key: str,
    rows: int = PAGE_ROWS,
    sort_keys: Mapping[str, pd.Series] | None = None,
    label: str = "Tabla",
) -> pd.DataFrame:
    """Show ``df`` a page at a time, with a page selector and a sort; return the page shown.

    Only the page's rows reach the browser (at 10,000 initiatives the whole table doubled
    what it received: bench/). The page number is kept per ``key`` and brought back into
    range when the rows shrink (a filter change); a new sort goes back to page 1.
    """
    n = len(df)
    pages = max(1, math.ceil(n / rows))
    if int(st.session_state.get(key, 1)) > pages:
        st.session_state[key] = pages

    def first_page() -> None:
        st.session_state[key] = 1

    by, direction, pager = st.columns([3, 2, 2], vertical_alignment="bottom")
    column = by.selectbox("Ordenar por", [GIVEN_ORDER, *df.columns], key=f"{key}_orden", on_change=first_page)
    descending = direction.checkbox("De mayor a menor", key=f"{key}_desc", on_change=first_page)
    page = int(
        pager.number_input(f"Página (de {format_int(pages)})", min_value=1, max_value=pages, step=1, key=key)
    )
    start = (page - 1) * rows
    shown = sort_rows(df, column, descending, sort_keys).iloc[start : start + rows]
    st.caption(
        f"Filas {format_int(start + 1 if n else 0)}–{format_int(start + len(shown))} de {format_int(n)}, "
        f"{'en el orden del plan' if column == GIVEN_ORDER else 'ordenadas por ' + column}. "
        "La descarga CSV incluye todas las filas."
    )
    st.html(table_html(shown, label))
    return shown
