"""Read an uploaded .xlsx or .csv into rows of raw cells, refusing what is not a spreadsheet.

- .xlsx is a zip archive: :func:`geo.uploads.inspect_zip` checks it (size, entries, zip
  bombs, truncation) before openpyxl opens it. Formulas are never evaluated: openpyxl
  reads them as text, and a formula cell is reported so its row is rejected.
- .csv is decoded as UTF-8 (with or without BOM), else Windows-1252/Latin-1; the
  separator (``;``, ``,`` or tab) is sniffed from the header line. A leading ``'`` that
  our own exports add before ``= + - @`` is removed again.
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.errors import DataError
from geo.sheets.cells import restore_formula_text
from geo.sheets.schema import BY_KEY, COLUMNS, header_key
from geo.uploads import check_file, inspect_zip
from geo.values import ValueProblem, decode_text, sniff_delimiter

log = logging.getLogger(__name__)

SHEET_NAME = "Iniciativas"
HEADER_SEARCH_ROWS = 10


@dataclass
class RawRow:
    """One data row: its spreadsheet row number, cells by column key, formula cells."""

    number: int
    cells: dict[str, object]
    formulas: set[str] = field(default_factory=set)


@dataclass
class Table:
    """What a file holds: the columns found and the data rows."""

    file: str
    sheet: str | None
    present: set[str]
    ignored: list[str]
    rows: list[RawRow]


def read_table(path: Path, label: str | None = None) -> Table:
    """Read ``path`` (``label`` is the name shown in messages, e.g. the uploaded file name)."""
    name = label or path.name
    check_file(path)
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, name)
    if suffix in (".csv", ".txt"):
        return _read_csv(path, name)
    if suffix in (".xls", ".ods"):
        raise DataError(
            f"{name}: formato {suffix} no admitido; guarde la planilla como Excel .xlsx o como CSV."
        )
    raise DataError(f"{name}: no es una planilla: se aceptan archivos .xlsx o .csv.")


def _rows_to_table(name: str, sheet: str | None, grid: list[tuple[int, list, list[bool]]]) -> Table:
    header_at = None
    for i, (_, values, _) in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if sum(1 for v in values if header_key(v)) >= 2:
            header_at = i
            break
    if header_at is None:
        if not any(any(v not in (None, "") for v in values) for _, values, _ in grid):
            raise DataError(f"{name}: la planilla está vacía.")
        raise DataError(
            f"{name}: no se encontró la fila de encabezados (Código, Nombre, Tipo, "
            "Estrategia, …) en las primeras filas; use la plantilla («sit template»)."
        )
    headers = grid[header_at][1]
    where: dict[str, int] = {}
    ignored: list[str] = []
    for idx, h in enumerate(headers):
        key = header_key(h)
        if key is None:
            if h not in (None, ""):
                ignored.append(str(h))
            continue
        if key in where:
            raise DataError(
                f"{name}: la columna «{BY_KEY[key].header}» aparece dos veces (fila {grid[header_at][0]})."
            )
        where[key] = idx
    missing = [
        c.header
        for c in COLUMNS
        if c.required and c.key not in where and not (c.key == "code" and "bip" in where)
    ]
    if missing:
        raise DataError(
            f"{name}: faltan columnas obligatorias: {', '.join(missing)} "
            f"(encabezados en la fila {grid[header_at][0]})."
        )
    rows: list[RawRow] = []
    for number, values, formula in grid[header_at + 1 :]:
        cells = {k: (values[i] if i < len(values) else None) for k, i in where.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
            continue
        rows.append(RawRow(number, cells, {k for k, i in where.items() if i < len(formula) and formula[i]}))
    return Table(name, sheet, set(where), ignored, rows)


def _read_xlsx(path: Path, name: str) -> Table:
    import openpyxl

    inspect_zip(path, label=name)
    try:
        with zipfile.ZipFile(path) as zf:
            if "[Content_Types].xml" not in zf.namelist():
                raise DataError(f"{name}: el archivo .xlsx no es una planilla Excel válida.")
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except DataError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a malformed workbook
        log.warning("translated to a Spanish message", exc_info=True)
        raise DataError(f"{name}: no se pudo leer como planilla Excel ({type(exc).__name__}).") from exc
    try:
        visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
        ws = next((w for w in wb.worksheets if w.title == SHEET_NAME), None) or (
            visible[0] if visible else None
        )
        if ws is None:
            raise DataError(f"{name}: la planilla no tiene hojas.")
        grid: list[tuple[int, list[Any], list[bool]]] = []
        try:
            for row in ws.iter_rows():
                cells = [c for c in row if c.__class__.__name__ != "EmptyCell"]
                if not cells:
                    continue
                width = max(int(c.column or 0) for c in cells)
                values: list = [None] * width
                formula = [False] * width
                for c in cells:
                    values[int(c.column or 0) - 1] = c.value
                    # Typed text starting with "=" is data_type "s": only real formulas are "f".
                    formula[int(c.column or 0) - 1] = c.data_type == "f"
                grid.append((int(cells[0].row or 0), values, formula))
        except DataError:
            raise
        except Exception as exc:
            log.warning("translated to a Spanish message", exc_info=True)
            raise DataError(f"{name}: la hoja «{ws.title}» está dañada ({type(exc).__name__}).") from exc
        return _rows_to_table(name, ws.title, grid)
    finally:
        wb.close()


def _read_csv(path: Path, name: str) -> Table:
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        raise DataError(
            f"{name}: es un archivo comprimido (¿una planilla Excel?); guárdelo con "
            "extensión .xlsx o expórtelo como CSV."
        )
    try:
        content = decode_text(data, name)
    except ValueProblem as exc:
        raise DataError(str(exc)) from None
    delimiter = sniff_delimiter(content.split("\n", 1)[0])
    try:
        reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
        grid: list[tuple[int, list[Any], list[bool]]] = [
            (n, [restore_formula_text(v) for v in row], []) for n, row in enumerate(reader, start=1)
        ]
    except csv.Error as exc:
        raise DataError(f"{name}: CSV mal formado ({exc}).") from exc
    return _rows_to_table(name, None, grid)
