"""Cells that leave the system: the one formula neutraliser of every download.

A text that starts with ``= + - @`` (or tab/CR) is read as a formula by Excel and
LibreOffice, so a typed name like ``=HYPERLINK(...)`` could run when a planner opens a
download. Every download goes through here:

- .xlsx: the cell is written as text with Excel's quote prefix (never a formula; the value
  itself is unchanged, so an export imported back is identical);
- .csv: a ``'`` is put before the text (:func:`restore_formula_text` removes it on import).

CSV files are UTF-8 with BOM and ``;``: Excel in es-CL opens them with accents intact.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.styles import Font

log = logging.getLogger(__name__)

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """For CSV: put ``'`` before a text that a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def restore_formula_text(value: str) -> str:
    """Undo :func:`neutralise_formula` on a CSV cell read back by the import."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_TRIGGERS:
        return value[1:]
    return value


def set_cell(cell: Cell | MergedCell, value: Any) -> None:
    """Write a value in an .xlsx cell; text is always text (never a formula), illegal characters dropped."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = value
        cell.data_type = "s"
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
    elif value is not None and value != value:  # NaN: an empty cell
        cell.value = None
    else:
        cell.value = value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV for Excel: UTF-8 with BOM, ``;``, CRLF, formulas neutralised, None as empty."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow([neutralise_formula(h) for h in header])
    for row in rows:
        w.writerow(["" if _blank(v) else neutralise_formula(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def table_csv(df: pd.DataFrame) -> bytes:
    """A table as :func:`csv_bytes` (the map's table, the coverage matrix, the gap list)."""
    return csv_bytes(list(df.columns), df.astype(object).itertuples(index=False, name=None))


def tables_xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per table; header in bold, column widths to fit."""
    wb = Workbook()
    for default in list(wb.worksheets):
        wb.remove(default)
    for name, df in sheets.items():
        ws = wb.create_sheet(name[:31])
        for col, header in enumerate(df.columns, start=1):
            cell = ws.cell(row=1, column=col)
            set_cell(cell, str(header))
            cell.font = Font(bold=True)
        for r, row in enumerate(df.astype(object).itertuples(index=False, name=None), start=2):
            for col, value in enumerate(row, start=1):
                set_cell(ws.cell(row=r, column=col), _plain(value))
        for column in ws.iter_cols(max_row=min(ws.max_row, 200)):
            width = max(len(str(c.value or "")) for c in column)
            ws.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _plain(value: Any) -> Any:
    """Python values for numpy scalars (openpyxl writes only plain types)."""
    return value.item() if hasattr(value, "item") else value
