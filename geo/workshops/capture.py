"""The capture spreadsheet of the paper kit: its template, and its import as needs.

A group fills the kit's A4 capture sheet by hand (cell of the map's grid, kind, strategy,
text, votes); someone types it into the template made here for that workshop and territory
(:func:`capture_template`), and the import (:func:`plan_capture`, then
:func:`apply_capture`) records one need per row through the one write path
(:func:`geo.store.workshops.record_needs`, origin ``planilla``).

The shape is the spreadsheet import's (``geo/sheets``): every row is read with the
project's parsers (:mod:`geo.values`; the cell with :func:`geo.workshops.grid.parse_cell`),
the preview lists what will be created and every rejected row with its file, sheet, row,
column and Spanish reason (:class:`geo.sheets.importer.RowError`, the same error workbook,
:func:`geo.sheets.writer.write_errors`), and nothing is written until the person confirms.
Unlike the initiatives import, a capture sheet is written whole or not at all: needs have no
code to update, so writing the good rows and then the corrected ones would record some twice.
A row already imported (same workshop, kind, text and cell) is reported and not written again.

Location: a need typed from the sheet is stored as the **square of its cell** (a polygon in
EPSG:4326, :func:`geo.workshops.grid.cell_polygon_lonlat`), not as the square's centre: the
resident pointed at a square of the paper map, and a point would claim a precision nobody gave.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import shapely
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Connection, Engine, text

from geo.db import transaction
from geo.domain import NEED_KINDS, OTHER_STRATEGY
from geo.errors import DataError
from geo.reports.ficha import Located, find_territory
from geo.reports.kit import kit_territory, sheet_label, strategies, territory_grid, workshop_header
from geo.sheets.cells import set_cell
from geo.sheets.importer import RowError
from geo.sheets.writer import write_errors
from geo.store.actor import Actor
from geo.store.permissions import require
from geo.store.workshops import NeedDraft, record_needs
from geo.uploads import inspect_zip
from geo.values import ValueProblem, parse_count, parse_text
from geo.workshops.grid import KitGrid, cell_of_point, cell_polygon_lonlat, parse_cell

log = logging.getLogger(__name__)

SHEET = "Captura"
INFO_SHEET = "Taller"
LISTS_SHEET = "Listas"
#: The columns of the capture sheet: key, header, width.
COLUMNS = (
    ("cell", "Celda", 10),
    ("kind", "Tipo", 24),
    ("strategy", "Estrategia", 40),
    ("text", "Texto", 80),
    ("votes", "Votos", 9),
)
HEADERS = {header.casefold(): key for key, header, _ in COLUMNS}
LABELS = {key: header for key, header, _ in COLUMNS}
NEED_TEXT_MAX = 1000
TEMPLATE_ROWS = 300
OTHER = "Otra"
_STRATEGY_CODE = re.compile(r"^\s*(E\d+)\b", re.I)


def _strategy_choices(conn: Connection) -> list[str]:
    """«E1 · Desarrollo Territorial», ..., «Otra»: the list of the template's column."""
    return [f"{s['code']} · {s['name']}" for s in strategies(conn)] + [OTHER]


def capture_template(conn: Connection, workshop_id: int, territory: str | int) -> bytes:
    """The .xlsx a workshop's capture sheets are typed into, for one territory's kit (id or name)."""
    header = workshop_header(conn, workshop_id)
    t = kit_territory(conn, territory)
    grid = territory_grid(conn, t.id)
    wb = Workbook()
    ws = wb.worksheets[0]
    assert isinstance(ws, Worksheet)
    ws.title = SHEET
    fill = PatternFill("solid", fgColor="1F4E78")
    for col, (_, title, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=col, value=title)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), fill
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    lists = wb.create_sheet(LISTS_SHEET)
    choices = {
        "cell": grid.cells(),
        "kind": list(NEED_KINDS.values()),
        "strategy": _strategy_choices(conn),
    }
    for col, (key, values) in enumerate(choices.items(), start=1):
        lists.cell(row=1, column=col, value=LABELS[key])
        for r, value in enumerate(values, start=2):
            set_cell(lists.cell(row=r, column=col), value)
        letter = get_column_letter(col)
        dv = DataValidation(
            type="list",
            allow_blank=True,
            showErrorMessage=True,
            formula1=f"{LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}",
            errorTitle="Valor no válido",
            error="Elija un valor de la lista.",
        )
        target = get_column_letter([k for k, _, _ in COLUMNS].index(key) + 1)
        dv.add(f"{target}2:{target}{TEMPLATE_ROWS + 1}")
        ws.add_data_validation(dv)
    votes = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    votes.error, votes.showErrorMessage = "Escriba un número entero (0 o más).", True
    votes.add(f"E2:E{TEMPLATE_ROWS + 1}")
    ws.add_data_validation(votes)
    lists.sheet_state = "hidden"
    info = wb.create_sheet(INFO_SHEET)
    rows = [
        ("Taller", workshop_id),
        ("Detalle", header.title),
        ("Hoja", sheet_label(t)),
        ("Cuadrícula", grid.describe()),
        ("", ""),
        (
            "Instrucciones",
            "Una fila por necesidad en la hoja «Captura», como en la hoja de captura en papel.",
        ),
        (
            "Celda",
            "La celda de la cuadrícula del mapa impreso (p. ej. C4): la necesidad queda en ese cuadro.",
        ),
        ("Tipo", "Problema, Propuesta o Valor (algo que cuidar)."),
        ("Estrategia", "Elija de la lista (o escriba el código, p. ej. E3); vacío u «Otra»: fuera del plan."),
        ("Texto", f"Obligatorio, hasta {NEED_TEXT_MAX} caracteres."),
        ("Votos", "Autoadhesivos recibidos (número entero; vacío = 0)."),
        ("", "No cambie esta hoja: dice a qué taller, hoja y cuadrícula corresponde la planilla."),
    ]
    for r, (k, v) in enumerate(rows, start=1):
        info.cell(row=r, column=1, value=k).font = Font(bold=True)
        set_cell(info.cell(row=r, column=2), v)
        info.cell(row=r, column=2).alignment = Alignment(wrap_text=True)
    info.column_dimensions["A"].width, info.column_dimensions["B"].width = 16, 100
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- the import ------------------------------------------------------------------------------


@dataclass
class CaptureRow:
    """A valid row: what the need will be."""

    row: int
    cell: str
    kind: str
    strategy_id: int | None
    strategy_label: str
    text: str
    votes: int
    wkb: bytes
    already: bool = False  # the same need was imported before: not written again


@dataclass
class CapturePlan:
    """The preview of a capture file: the needs it will create and the rejected rows."""

    file: str
    sheet: str
    workshop_id: int
    territory: Located
    grid: KitGrid
    rows: list[CaptureRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def new(self) -> list[CaptureRow]:
        """The rows that will become needs."""
        return [r for r in self.rows if not r.already]

    def messages(self) -> list[str]:
        """Every rejection in Spanish, naming the file, the sheet, the row and the column."""
        return [
            f"{self.file}, hoja «{self.sheet}», fila {e.row}, columna «{e.column}»: {e.reason}"
            for e in self.errors
        ]

    def counts(self) -> dict[str, int]:
        """Spanish counts for the preview."""
        return {
            "necesidades nuevas": len(self.new),
            "ya importadas": len(self.rows) - len(self.new),
            "filas rechazadas": len({e.row for e in self.errors}),
        }

    def error_workbook(self) -> bytes:
        """The rejected rows as the spreadsheet import's error workbook (Hoja, Fila, Columna, Motivo...)."""
        buf = io.BytesIO()
        write_errors([replace(e, reason=f"{self.file}: {e.reason}") for e in self.errors], buf)
        return buf.getvalue()


def _row_error(row: int, column: str, value: str, reason: str) -> RowError:
    """A rejected cell of the «Captura» sheet, as the spreadsheet import's errors."""
    return RowError(row, column, value, reason, sheet=SHEET)


def _cells(ws: Any, name: str) -> list[tuple[int, list[Any], list[bool]]]:
    grid = []
    for row in ws.iter_rows():
        values = [c.value for c in row]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        grid.append((int(row[0].row), values, [c.data_type == "f" for c in row]))
    return grid


def _read_info(wb: Any, name: str) -> dict[str, str]:
    if INFO_SHEET not in wb.sheetnames:
        raise DataError(
            f"{name}: falta la hoja «{INFO_SHEET}» (taller, hoja y cuadrícula): use la plantilla de "
            "captura del taller («sit taller plantilla» o el botón de la página Talleres)."
        )
    out = {}
    for row in wb[INFO_SHEET].iter_rows(max_col=2):
        if row[0].value:
            out[str(row[0].value).strip()] = "" if row[1].value is None else str(row[1].value).strip()
    return out


def _kind(value: str) -> str:
    folded = value.casefold()
    for code, label in NEED_KINDS.items():
        if folded in (code, label.casefold()) or label.casefold().startswith(folded + " "):
            return code
    raise ValueProblem(f"«{value}» no es un tipo: escriba Problema, Propuesta o Valor.")


def _strategy(value: str | None, by_code: dict[str, tuple[int, str]]) -> tuple[int | None, str]:
    if value is None or value.casefold() in (OTHER.casefold(), "otra estrategia", OTHER_STRATEGY.casefold()):
        return None, OTHER_STRATEGY
    m = _STRATEGY_CODE.match(value)
    code = m.group(1).upper() if m else None
    if code is None:
        code = next((c for c, (_, n) in by_code.items() if n.casefold() == value.casefold()), None)
    if code not in by_code:
        raise ValueProblem(f"«{value}» no es una estrategia del plan: elija de la lista (E1 a E9) u «Otra».")
    return by_code[code][0], f"{code} · {by_code[code][1]}"


def plan_capture(
    conn: Connection, actor: Actor, path: Path, workshop_id: int, label: str | None = None
) -> CapturePlan:
    """Read and validate a capture file for ``workshop_id``; write nothing.

    Raises:
        DataError: in Spanish, for a file that is not the workshop's capture template (another
            workshop, another grid, no «Captura» sheet or headers) or not a readable .xlsx.
        NotAuthorised: the actor may not record needs.
    """
    require(actor, "workshops")
    name = label or path.name
    if Path(name).suffix.lower() != ".xlsx":
        raise DataError(
            f"{name}: la planilla de captura es un archivo Excel .xlsx (la plantilla del taller)."
        )
    inspect_zip(path, label=name)
    try:
        wb = load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a malformed workbook
        log.warning("translated to a Spanish message", exc_info=True)
        raise DataError(f"{name}: no se pudo leer como planilla Excel ({type(exc).__name__}).") from exc
    info = _read_info(wb, name)
    header = workshop_header(conn, workshop_id)
    if info.get("Taller", "").split(".")[0] != str(workshop_id):
        raise DataError(
            f"{name}: la planilla es del taller {info.get('Taller') or '(sin número)'}, no del taller "
            f"{workshop_id} ({header.title}): impórtela en su taller."
        )
    t = find_territory(conn, info.get("Hoja", ""))
    grid = territory_grid(conn, t.id)
    if info.get("Cuadrícula") != grid.describe():
        raise DataError(
            f"{name}: la cuadrícula de la planilla ({info.get('Cuadrícula') or 'sin datos'}) no es la "
            f"actual de {t.label} ({grid.describe()}): el límite del territorio cambió después de "
            "imprimir el kit. No se importó nada: imprima el kit y la plantilla de nuevo y ubique las "
            "necesidades en el mapa nuevo."
        )
    if SHEET not in wb.sheetnames:
        raise DataError(f"{name}: falta la hoja «{SHEET}» con las necesidades.")
    rows = _cells(wb[SHEET], name)
    if not rows:
        raise DataError(f"{name}: la hoja «{SHEET}» está vacía.")
    number, headers, _ = rows[0]
    where = {
        HEADERS[str(h).strip().casefold()]: i
        for i, h in enumerate(headers)
        if h and str(h).strip().casefold() in HEADERS
    }
    missing = [LABELS[k] for k in ("cell", "kind", "text") if k not in where]
    if missing:
        raise DataError(
            f"{name}, hoja «{SHEET}»: faltan las columnas {', '.join(missing)} "
            f"(encabezados en la fila {number})."
        )
    plan = CapturePlan(name, SHEET, workshop_id, t, grid)
    by_code = {s["code"]: (int(s["id"]), str(s["name"])) for s in strategies(conn)}
    for number, values, formulas in rows[1:]:
        _read_row(plan, number, values, formulas, where, by_code)
    if not plan.rows and not plan.errors:
        raise DataError(f"{name}, hoja «{SHEET}»: no hay necesidades bajo los encabezados.")
    _mark_imported(conn, plan)
    return plan


def _read_row(
    plan: CapturePlan,
    number: int,
    values: list[Any],
    formulas: list[bool],
    where: dict[str, int],
    by_code: dict[str, tuple[int, str]],
) -> None:
    got: dict[str, Any] = {}
    errors: list[RowError] = []

    def cell(key: str) -> Any:
        i = where.get(key)
        return values[i] if i is not None and i < len(values) else None

    for key in ("cell", "kind", "strategy", "text", "votes"):
        raw = cell(key)
        shown = "" if raw is None else str(raw)
        i = where.get(key)
        try:
            if i is not None and i < len(formulas) and formulas[i]:
                raise ValueProblem(f"la celda contiene una fórmula ({shown[:40]}); escriba el valor")
            if key == "cell":
                col, row = parse_cell(raw, plan.grid)
                got[key] = f"{plan.grid.column_labels()[col]}{row + 1}"
            elif key == "kind":
                value = parse_text(raw, 60)
                if value is None:
                    raise ValueProblem("falta el tipo: Problema, Propuesta o Valor")
                got[key] = _kind(value)
            elif key == "strategy":
                got[key] = _strategy(parse_text(raw, 300), by_code)
            elif key == "text":
                value = parse_text(raw, NEED_TEXT_MAX)
                if value is None:
                    raise ValueProblem("falta el texto de la necesidad")
                got[key] = value
            else:
                got[key] = parse_count(raw) or 0
        except ValueProblem as exc:
            errors.append(_row_error(number, LABELS[key], shown, str(exc).rstrip(".")))
    if errors:
        plan.errors.extend(errors)
        return
    square = cell_polygon_lonlat(plan.grid, got["cell"])
    plan.rows.append(
        CaptureRow(
            number,
            got["cell"],
            got["kind"],
            got["strategy"][0],
            got["strategy"][1],
            got["text"],
            got["votes"],
            shapely.to_wkb(square),
        )
    )


def _mark_imported(conn: Connection, plan: CapturePlan) -> None:
    """Rows whose need is already in the workshop (same kind, text and square, from a sheet)."""
    have = conn.execute(
        text(
            """
        SELECT kind, text, ST_AsBinary(ST_Transform(ST_Centroid(geom), 32719)) AS c FROM need
         WHERE workshop_id = :w AND origin = 'planilla'
        """
        ),
        {"w": plan.workshop_id},
    ).all()
    seen = set()
    for r in have:
        x, y = shapely.get_coordinates(shapely.from_wkb(bytes(r.c)))[0]
        seen.add((r.kind, r.text, cell_of_point(plan.grid, float(x), float(y))))
    for row in plan.rows:
        row.already = (row.kind, row.text, row.cell) in seen


def registered(n: int) -> str:
    """What a person is told after the import: «Registrada 1 necesidad», «Registradas 3 necesidades»."""
    return "Registrada 1 necesidad" if n == 1 else f"Registradas {n} necesidades"


def apply_capture(bind: Engine | Connection, plan: CapturePlan, actor: Actor) -> list[int]:
    """Record the preview's new needs (origin «planilla»), all or none; return their ids.

    Raises:
        DataError: the file has rejected rows (nothing is written: correct them and import the
            whole file again), or the workshop is closed.
        NotAuthorised: the actor may not record needs.
    """
    require(actor, "workshops")
    if plan.errors:
        first = plan.messages()[0]
        raise DataError(
            f"{plan.file}: no se importó nada: {len({e.row for e in plan.errors})} fila(s) con errores "
            f"(la primera: {first}). Corríjalas y vuelva a importar la planilla completa."
        )
    drafts = [
        NeedDraft(
            kind=r.kind,
            strategy_id=r.strategy_id,
            text=r.text,
            votes=r.votes,
            geometry_wkb=r.wkb,
            origin="planilla",
            where=f"fila {r.row} de {plan.file} (celda {r.cell})",
        )
        for r in plan.new
    ]
    if not drafts:
        return []
    with transaction(bind) as conn:
        return record_needs(conn, actor, plan.workshop_id, drafts)
