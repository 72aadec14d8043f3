"""The activity rows as a person reads them: the on-screen table and the .xlsx download.

Both take the rows of :func:`geo.activity.log.activity_rows`; every cell of the download
goes through :mod:`geo.sheets.cells` (text is never a formula), like every other download.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import pandas as pd

from geo.sheets.cells import tables_xlsx

log = logging.getLogger(__name__)

#: Columns of the on-screen table, one row per audit row.
TABLE_COLUMNS = ("N.º", "Fecha", "Quién", "Cómo", "Acción", "Objeto", "Cambios (antes → después)", "Notas")
#: Columns of the download, one row per changed field (a row without changes keeps one line).
SHEET_COLUMNS = (
    *("N.º", "Fecha", "Quién", "Cuenta", "Cómo", "Acción", "Objeto"),
    *("Campo", "Antes", "Después", "Notas"),
)


def change_line(change: dict[str, Any]) -> str:
    """``Estado: Idea → Perfil``."""
    return f"{change['label']}: {change['before']} → {change['after']}"


def activity_table(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """One line per audit row: when, who, how, action, object, the changes and the notes."""
    return pd.DataFrame(
        [
            (
                r["id"],
                r["when"],
                r["who"],
                r["via"] or "—",
                r["action_label"],
                r["object"],
                " · ".join(change_line(c) for c in r["changes"]),
                " · ".join(r["notes"]),
            )
            for r in rows
        ],
        columns=list(TABLE_COLUMNS),
    )


def activity_xlsx(rows: Sequence[dict[str, Any]]) -> bytes:
    """The rows as an .xlsx workbook, one line per changed field with its before and after."""
    lines = []
    for r in rows:
        who = (r["who"], r["account"] or "", r["via"] or "")
        head = (r["id"], r["when"], *who, r["action_label"], r["object"])
        notes = " · ".join(r["notes"])
        for c in r["changes"] or [None]:
            field = (c["label"], c["before"], c["after"]) if c else ("", "", "")
            lines.append((*head, *field, notes))
    return tables_xlsx({"Actividad": pd.DataFrame(lines, columns=list(SHEET_COLUMNS))})
