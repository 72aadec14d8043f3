"""Read an uploaded .xlsx or .csv into rows of raw cells, refusing what is not a spreadsheet.

- .xlsx is a zip archive: :func:`geo.uploads.inspect_zip` checks it (size, entries, zip
  bombs, truncation) before it is opened. Formulas are never evaluated: openpyxl reads
  them as text, and a formula cell is reported so its row is rejected.
- A plain sheet (no formula, no error or ISO-date cell, no ``_xHHHH_`` escape: what our
  exports and most typed sheets are) is read with python-calamine, about fifteen times
  faster than openpyxl, and its values are given the types openpyxl gives them. Anything
  else, or anything calamine cannot read, goes through openpyxl as before, so formulas
  and damaged files get the same messages whichever reader would have been faster.
- .csv is decoded as UTF-8 (with or without BOM), else Windows-1252/Latin-1; the
  separator (``;``, ``,`` or tab) is sniffed from the header line. A leading ``'`` that
  our own exports add before ``= + - @`` is removed again.
"""

from __future__ import annotations

import csv
import io
import logging
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from geo.errors import DataError
from geo.sheets.cells import restore_formula_text
from geo.sheets.schema import COLUMNS, FUNDING_COLUMNS, FUNDING_SHEET, Column, header_key
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
        table = _read_xlsx(path, name)
        assert table is not None  # the initiatives: the first visible sheet when none is named so
        return table
    if suffix in (".csv", ".txt"):
        return _read_csv(path, name)
    if suffix in (".xls", ".ods"):
        raise DataError(
            f"{name}: formato {suffix} no admitido; guarde la planilla como Excel .xlsx o como CSV."
        )
    raise DataError(f"{name}: no es una planilla: se aceptan archivos .xlsx o .csv.")


def _rows_to_table(
    name: str,
    sheet: str | None,
    grid: list[tuple[int, list, list[bool]]],
    columns: tuple[Column, ...] = COLUMNS,
) -> Table:
    # Messages about the funding sheet name it; the initiatives sheet is "the" sheet.
    at = name if columns is COLUMNS else f"{name}, hoja «{sheet}»"
    header_at = None
    for i, (_, values, _) in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if sum(1 for v in values if header_key(v, columns)) >= 2:
            header_at = i
            break
    if header_at is None:
        if not any(any(v not in (None, "") for v in values) for _, values, _ in grid):
            raise DataError(f"{at}: la planilla está vacía.")
        raise DataError(
            f"{at}: no se encontró la fila de encabezados ({', '.join(c.header for c in columns[:4])}, …) "
            "en las primeras filas; use la plantilla («sit template»)."
        )
    headers = grid[header_at][1]
    by_key = {c.key: c for c in columns}
    where: dict[str, int] = {}
    ignored: list[str] = []
    for idx, h in enumerate(headers):
        key = header_key(h, columns)
        if key is None:
            if h not in (None, ""):
                ignored.append(str(h))
            continue
        if key in where:
            raise DataError(
                f"{at}: la columna «{by_key[key].header}» aparece dos veces (fila {grid[header_at][0]})."
            )
        where[key] = idx
    missing = [
        c.header
        for c in columns
        if c.required and c.key not in where and not (c.key == "code" and "bip" in where)
    ]
    if missing:
        raise DataError(
            f"{at}: faltan columnas obligatorias: {', '.join(missing)} "
            f"(encabezados en la fila {grid[header_at][0]})."
        )
    rows: list[RawRow] = []
    for number, values, formula in grid[header_at + 1 :]:
        cells = {k: (values[i] if i < len(values) else None) for k, i in where.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
            continue
        rows.append(RawRow(number, cells, {k for k, i in where.items() if i < len(formula) and formula[i]}))
    return Table(name, sheet, set(where), ignored, rows)


def read_funding_table(path: Path, label: str | None = None) -> Table | None:
    """The «Financiamiento» sheet of a workbook, or None when it has none (a CSV, an old workbook)."""
    name = label or path.name
    if Path(name).suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    check_file(path)
    return _read_xlsx(path, name, FUNDING_SHEET)


def _read_xlsx(path: Path, name: str, wanted: str = SHEET_NAME) -> Table | None:
    """The sheet ``wanted`` of a workbook (None: another sheet than «Iniciativas», absent)."""
    inspect_zip(path, label=name)
    try:
        with zipfile.ZipFile(path) as zf:
            if "[Content_Types].xml" not in zf.namelist():
                raise DataError(f"{name}: el archivo .xlsx no es una planilla Excel válida.")
            plain = _plain_sheet(zf, wanted)
    except DataError:
        raise
    except Exception:  # openpyxl reads it again and words the refusal
        log.info("%s is not a plain workbook; reading it with openpyxl", name, exc_info=True)
        plain = None
    columns = COLUMNS if wanted == SHEET_NAME else FUNDING_COLUMNS
    if plain is not None and (grid := _calamine_grid(path, plain)) is not None:
        return _rows_to_table(name, plain, grid, columns)
    return _read_xlsx_openpyxl(path, name, wanted)


def _read_xlsx_openpyxl(path: Path, name: str, wanted: str = SHEET_NAME) -> Table | None:
    """The sheet ``wanted`` (the initiatives: else the first visible one; another: None if absent)."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a malformed workbook
        log.warning("translated to a Spanish message", exc_info=True)
        raise DataError(f"{name}: no se pudo leer como planilla Excel ({type(exc).__name__}).") from exc
    try:
        visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
        ws = next((w for w in wb.worksheets if w.title == wanted), None)
        if ws is None and wanted != SHEET_NAME:
            return None
        ws = ws or (visible[0] if visible else None)
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
        return _rows_to_table(name, ws.title, grid, COLUMNS if wanted == SHEET_NAME else FUNDING_COLUMNS)
    finally:
        wb.close()


# --- the fast path: plain sheets through python-calamine -------------------------------------

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
#: What only openpyxl reads as before: a formula element ``<f`` or ``<prefix:f``, an error or
#: ISO-date cell (an attribute ``t="e"`` or ``t="d"``), an ``_xHHHH_`` escape (calamine decodes
#: it, openpyxl keeps it as written). Every alternative is a few bytes long, so a search in
#: chunks that overlap cannot miss one; a match in text that merely looks like one only costs
#: the slower reader.
_NEEDS_OPENPYXL = re.compile(rb"[<:]f[\s/>]|[\"'][ed][\"']|_x[0-9A-Fa-f]{4}_")
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_CHUNK = 1 << 20


def _plain_sheet(zf: zipfile.ZipFile, wanted: str = SHEET_NAME) -> str | None:
    """The title of the sheet to import if calamine reads it as openpyxl would, else None.

    The sheet is chosen as openpyxl's path chooses it: ``wanted``, else (for «Iniciativas»)
    the first visible worksheet. Any unexpected package layout answers None (openpyxl decides).
    """
    names = set(zf.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return None
    targets: dict[str, str] = {}
    shared: list[str] = []
    for rel in ET.fromstring(zf.read("xl/_rels/workbook.xml.rels")).iter(_PKG_REL):
        target = rel.get("Target", "")
        part = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        kind = rel.get("Type", "").rsplit("/", 1)[-1]
        if kind == "worksheet":
            targets[rel.get("Id", "")] = part
        elif kind == "sharedStrings":
            shared.append(part)
    sheets = [
        (s.get("name", ""), s.get("state", "visible"), targets.get(s.get(_REL_ID, "")))
        for s in ET.fromstring(zf.read("xl/workbook.xml")).iter(f"{_MAIN}sheet")
    ]
    sheets = [s for s in sheets if s[2] is not None]  # chart sheets are not worksheets
    chosen = next((s for s in sheets if s[0] == wanted), None)
    if chosen is None and wanted == SHEET_NAME:
        chosen = next((s for s in sheets if s[1] == "visible"), None)
    if chosen is None or chosen[2] not in names or any(p not in names for p in shared):
        return None
    if _part_matches(zf, str(chosen[2]), _NEEDS_OPENPYXL) or any(
        _part_matches(zf, p, _ESCAPE) for p in shared
    ):
        return None
    return chosen[0]


def _part_matches(zf: zipfile.ZipFile, part: str, pattern: re.Pattern[bytes]) -> bool:
    """Whether ``pattern`` occurs in a zip member, read in chunks (a sheet can be large)."""
    tail = b""
    with zf.open(part) as f:
        while chunk := f.read(_CHUNK):
            if pattern.search(tail + chunk):
                return True
            tail = chunk[-8:]
    return False


def _calamine_grid(path: Path, sheet: str) -> list[tuple[int, list[Any], list[bool]]] | None:
    """The sheet's non-empty rows with openpyxl's value types; None if calamine cannot read it."""
    from python_calamine import CalamineWorkbook

    try:
        with CalamineWorkbook.from_path(str(path)) as wb:
            data = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception:  # a damaged sheet: openpyxl reads it again and words the refusal
        log.info("calamine could not read %s; reading it with openpyxl", path, exc_info=True)
        return None
    grid: list[tuple[int, list[Any], list[bool]]] = []
    for number, row in enumerate(data, start=1):
        values = [_as_openpyxl(v) for v in row]
        if any(v is not None for v in values):
            grid.append((number, values, []))
    return grid


def _as_openpyxl(value: Any) -> Any:
    """A calamine value as openpyxl gives it: empty is None, whole numbers int, dates datetime."""
    if value == "":
        return None
    if value.__class__ is float:
        # The sheet stores "2016", which openpyxl reads as int; calamine as 2016.0.
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    if value.__class__ is date:
        return datetime(value.year, value.month, value.day)
    return value


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
