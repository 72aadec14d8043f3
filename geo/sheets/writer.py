"""Write the template, the exports (xlsx, csv, gpkg, geojson) and the error workbook.

The xlsx export has the template's shape, so exporting and importing it back changes
nothing: the initiatives in «Iniciativas», their funding lines in «Financiamiento» (one row
per line). Cells starting with ``= + - @`` (or tab/CR) are neutralised: in .xlsx they are
stored as text with Excel's quote prefix (never a formula, the value itself unchanged); in
.csv a ``'`` is put before them (the importer removes it again). CSV is UTF-8 with BOM and
``;`` as separator, which Excel in es-CL opens with accents intact.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Connection, text

from geo.domain import FUNDING_LINE_SOURCES, FUNDING_STAGES, format_datetime
from geo.initiatives.filters import MapFilters
from geo.initiatives.queries import filtered_initiatives
from geo.investment.money import MONEY_JOIN
from geo.sheets.cells import csv_bytes, set_cell
from geo.sheets.importer import RowError
from geo.sheets.reader import SHEET_NAME
from geo.sheets.schema import (
    BY_KEY,
    COLUMNS,
    FUNDING_BY_KEY,
    FUNDING_COLUMNS,
    FUNDING_HEADERS,
    FUNDING_SHEET,
    HEADERS,
    Column,
    Lists,
)
from geo.store.funding import stored_lines
from geo.territory.gazetteer import Gazetteer

log = logging.getLogger(__name__)

LISTS_SHEET = "Listas"
VALIDATED = ("kind", "strategy", "plan", "program", "status", "scope", "bip_stage", "technical_result")
#: Lists of the funding sheet: its column -> the code list whose labels it offers.
FUNDING_VALIDATED = {"source": FUNDING_LINE_SOURCES, "stage": FUNDING_STAGES}
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
GIS_FIELDS = {
    "code": "codigo",
    "name": "nombre",
    "kind": "tipo",
    "strategy": "estrategia",
    "plan": "plan",
    "program": "programa",
    "status": "estado",
    "scope": "sector",
    "places": "ubicacion",
    "unit": "unidad_resp",
    "bip": "codigo_bip",
    "bip_stage": "etapa_bip",
    "technical_result": "rate",
    "start": "inicio",
    "end": "termino",
    "description": "descripcion",
    "place_note": "nota_ubic",
    "version": "version",
    "modified": "modificado",
}


def export_rows(conn: Connection, filters: MapFilters | None = None) -> list[dict]:
    """Initiatives as spreadsheet rows (labels, places as names) plus ``wkb`` and ``is_demo``.

    ``filters`` None exports every initiative that is not archived (demo rows included).
    Each row carries its version and when it last changed, so that importing the file
    later detects the rows someone changed in between.
    """
    lists, gaz = Lists.load(conn), Gazetteer.load(conn)
    params: dict = {}
    where = "WHERE i.archived_at IS NULL"
    if filters is not None:
        params["ids"] = [int(i) for i in filtered_initiatives(conn, filters)["id"]]
        where = "WHERE i.id = ANY(:ids)"
    rows = (
        conn.execute(
            text(
                f"""
        SELECT i.id, i.code, i.name, i.kind, s.code AS strategy, p.code AS plan, g.code AS program,
               i.status, i.scope, i.responsible_unit, i.bip_code, i.bip_stage, i.technical_result,
               i.start_year, i.end_year, i.description, i.place_note, i.is_demo, i.version,
               i.updated_at, i.archived_at IS NOT NULL AS archived, ST_AsBinary(i.geom) AS wkb,
               money.total_clp, money.sources
          FROM initiative i JOIN strategy s ON s.id = i.strategy_id
          LEFT JOIN plan p ON p.id = i.plan_id LEFT JOIN program g ON g.id = i.program_id
          {MONEY_JOIN}
          {where}
         ORDER BY i.is_demo, s.position, i.code
        """
            ),
            params,
        )
        .mappings()
        .all()
    )
    places: dict[int, list[str]] = {}
    by_key = {(p.target, p.id): p for p in gaz.places}
    for r in conn.execute(
        text(
            """
            SELECT initiative_id, 'territory' AS target, territory_id AS id FROM initiative_territory
             WHERE link_method = 'nombre_lugar'
            UNION ALL
            SELECT initiative_id, 'facility', facility_id FROM initiative_facility
             WHERE link_method = 'nombre_lugar'
            ORDER BY 1, 2 DESC, 3
            """
        )
    ):
        places.setdefault(r.initiative_id, []).append(gaz.label(by_key[(r.target, r.id)]))
    lines = stored_lines(conn, [int(m["id"]) for m in rows])
    out = []
    for m in rows:
        rec = dict(m)
        out.append(
            {
                "code": rec["code"],
                "name": rec["name"],
                "kind": lists.label_of("kind", rec["kind"]),
                "strategy": lists.label_of("strategy", rec["strategy"]),
                "plan": lists.label_of("plan", rec["plan"]),
                "program": lists.label_of("program", rec["program"]),
                "status": lists.label_of("status", rec["status"]),
                "scope": lists.label_of("scope", rec["scope"]),
                "places": "; ".join(places.get(rec["id"], [])),
                "unit": rec["responsible_unit"] or "",
                "bip": rec["bip_code"] or "",
                "bip_stage": lists.label_of("bip_stage", rec["bip_stage"]),
                "technical_result": lists.label_of("technical_result", rec["technical_result"]),
                "start": rec["start_year"],
                "end": rec["end_year"],
                "description": rec["description"] or "",
                "place_note": rec["place_note"] or "",
                "version": rec["version"],
                "modified": format_datetime(rec["updated_at"]),
                "is_demo": rec["is_demo"],
                "archived": rec["archived"],
                "wkb": bytes(rec["wkb"]) if rec["wkb"] is not None else None,
                # Read-only figures of the GIS exports (the lines are the record).
                "total_clp": rec["total_clp"],
                "sources": rec["sources"] or "",
                "lines": [
                    {
                        "code": rec["code"],
                        "source": FUNDING_LINE_SOURCES.get(ln.source, "") if ln.source else "",
                        "source_detail": ln.source_detail or "",
                        "year": ln.year,
                        "amount": ln.amount_clp,
                        "stage": FUNDING_STAGES.get(ln.stage, ln.stage),
                    }
                    for ln in lines[int(rec["id"])]
                ],
            }
        )
    return out


INSTRUCTIONS = [
    "Planilla de iniciativas del PLADECO Vallenar (SIT PLADECO)",
    "",
    "Una fila por iniciativa en la hoja «Iniciativas». No cambie los encabezados.",
    "Obligatorias: Código (o Código BIP), Nombre, Tipo y Estrategia.",
    "Código: único, elegido por el municipio. Al importar de nuevo, la fila con el mismo Código "
    "actualiza la iniciativa (no la duplica). Sin Código se usa el Código BIP.",
    "Listas (Tipo, Estrategia, Plan, Programa, Estado, Sector, Fuente): elija de la lista; también "
    "se acepta el código (p. ej. «E1», «E1.P1», «en_ejecucion»). El plan debe ser de la estrategia "
    "y el programa, del plan.",
    "Sector: el alcance territorial. «Comunal» = toda la comuna (no necesita Ubicación); "
    "«Localizada» = en los lugares de la columna Ubicación (si son urbanos o rurales se calcula "
    "de los territorios, no se escribe); «Fuera de la comuna».",
    "Ubicación: uno o más lugares separados por «;». Unidades vecinales por número («UV 3», "
    "«U.V. N°3», «unidad vecinal 3») o nombre («Quinta Valle»); localidades («Domeyko»), sitios "
    "(«Vivero») y establecimientos («Escuela Gabriela Mistral», «CESFAM Baquedano»). Se ignoran "
    "mayúsculas y tildes y se toleran errores de tipeo pequeños; si un nombre es ambiguo "
    "(«Huasco») o desconocido la fila se rechaza y se explica. Puede precisar el tipo: "
    "«Sitio: Vivero», «Localidad: Domeyko», «Escuela: …», «Salud: …».",
    "Financiamiento: en la hoja «Financiamiento», una fila por línea de financiamiento (Código de la "
    "iniciativa, Fuente, Detalle de la fuente, Año, Monto (CLP), Etapa). Para cada iniciativa de la "
    "hoja «Iniciativas», sus filas allí son todas sus líneas: agregar, cambiar o borrar filas cambia "
    "sus líneas (una iniciativa sin filas queda sin líneas). Si borra la hoja entera, las líneas "
    "quedan como están.",
    "Fuente: Municipal, FNDR, FRIL, PMU, PMB, Sectorial (escriba el ministerio o servicio en "
    "Detalle de la fuente), Privado u Otro. Etapa: Postulado, Aprobado o Ejecutado (obligatoria).",
    "Monto (CLP): pesos enteros: 12500000, 12.500.000, $ 12.500.000, 12 500 000 o CLP 12.500.000. "
    "Vacío = monto no informado (nunca $ 0).",
    "Inicio y Término: año (2016) o fecha dd-mm-aaaa; el sistema guarda solo el año.",
    "Estado vacío = Sin información. Un cambio de estado por importación queda en el historial.",
    "No use fórmulas: una celda con fórmula se rechaza (las fórmulas nunca se evalúan).",
    "Versión y Última modificación: las llena la exportación; no las cambie. Si otra persona cambió "
    "una iniciativa en el sistema después de que usted exportó la planilla, esa fila aparece «en "
    "conflicto»: la vista previa muestra el valor guardado, el de la planilla y quién lo cambió y "
    "cuándo, y la fila no se escribe a menos que usted elija sobrescribirla.",
    "Antes de escribir, el sistema muestra una vista previa: nuevas, con cambios (valor anterior → "
    "nuevo), en conflicto, sin cambios y rechazadas (con fila, columna y motivo).",
]


def _first_sheet(wb: Workbook) -> Worksheet:
    """The sheet a new workbook starts with."""
    ws = wb.worksheets[0]
    assert isinstance(ws, Worksheet)
    return ws


def write_workbook(rows: list[dict], lists: Lists, out: Path | io.BytesIO) -> None:
    """The template (no rows) or an export (rows) in the template's shape."""
    wb = Workbook()
    ws = _first_sheet(wb)
    ws.title = SHEET_NAME
    _header(ws, COLUMNS)
    for r, row in enumerate(rows, start=2):
        for col, c in enumerate(COLUMNS, start=1):
            value = row.get(c.key)
            set_cell(ws.cell(row=r, column=col), None if value == "" else value)
    last = max(len(rows) + 1000, 2000)
    fs = _funding_sheet(wb, [ln for row in rows for ln in row.get("lines", [])])
    ls = wb.create_sheet(LISTS_SHEET)
    for col, key in enumerate(VALIDATED, start=1):
        labels = [ch.label for ch in lists.lists[key]]
        _list_column(ls, col, BY_KEY[key].header, labels, ws, HEADERS.index(BY_KEY[key].header) + 1, last)
    for col, (key, choices) in enumerate(FUNDING_VALIDATED.items(), start=len(VALIDATED) + 1):
        target = FUNDING_HEADERS.index(FUNDING_BY_KEY[key].header) + 1
        header = FUNDING_BY_KEY[key].header
        _list_column(ls, col, header, list(choices.values()), fs, target, max(fs.max_row + 1000, 2000))
    ls.sheet_state = "hidden"
    ins = wb.create_sheet("Instrucciones")
    ins.column_dimensions["A"].width = 120
    for r, line in enumerate(INSTRUCTIONS, start=1):
        cell = ins.cell(row=r, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True)
    ins["A1"].font = Font(bold=True, size=14)
    start = len(INSTRUCTIONS) + 2
    ins.cell(row=start, column=1, value="Columnas").font = Font(bold=True)
    for i, c in enumerate(COLUMNS, start=start + 1):
        ins.cell(row=i, column=1, value=f"{c.header}: {c.help}")
    start += len(COLUMNS) + 2
    ins.cell(row=start, column=1, value=f"Columnas de «{FUNDING_SHEET}»").font = Font(bold=True)
    for i, c in enumerate(FUNDING_COLUMNS, start=start + 1):
        ins.cell(row=i, column=1, value=f"{c.header}: {c.help}")
    wb.save(out)


def _list_column(
    ls: Worksheet, col: int, header: str, labels: list[str], ws: Worksheet, target_col: int, last: int
) -> None:
    """A list of the hidden «Listas» sheet (column ``col``) offered in ``ws``'s column ``target_col``."""
    ls.cell(row=1, column=col, value=header)
    for r, label in enumerate(labels, start=2):
        set_cell(ls.cell(row=r, column=col), label)
    letter = get_column_letter(col)
    dv = DataValidation(
        type="list",
        allow_blank=True,
        showErrorMessage=True,
        formula1=f"{LISTS_SHEET}!${letter}$2:${letter}${len(labels) + 1}",
        errorTitle="Valor no válido",
        error="Elija un valor de la lista.",
    )
    target = get_column_letter(target_col)
    dv.add(f"{target}2:{target}{last}")
    ws.add_data_validation(dv)


def _header(ws: Worksheet, columns: tuple[Column, ...]) -> None:
    for col, c in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=col, value=c.header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(col)].width = c.width
    ws.freeze_panes = "B2"


def _funding_sheet(wb: Workbook, lines: list[dict]) -> Worksheet:
    """The sheet «Financiamiento»: one row per funding line, amounts as pesos."""
    fs = wb.create_sheet(FUNDING_SHEET, 1)
    _header(fs, FUNDING_COLUMNS)
    amount_col = FUNDING_HEADERS.index(FUNDING_BY_KEY["amount"].header) + 1
    for r, line in enumerate(lines, start=2):
        for col, c in enumerate(FUNDING_COLUMNS, start=1):
            value = line.get(c.key)
            set_cell(fs.cell(row=r, column=col), None if value == "" else value)
        fs.cell(row=r, column=amount_col).number_format = '"$" #,##0'
    return fs


def write_csv(rows: list[dict]) -> bytes:
    """CSV in the template's columns: UTF-8 with BOM, ``;``, formulas neutralised."""
    return csv_bytes(HEADERS, ([row.get(c.key) for c in COLUMNS] for row in rows))


def write_gis(rows: list[dict], out: Path, driver: str) -> None:
    """GeoPackage or GeoJSON in EPSG:4326 (initiatives without geometry keep a null one)."""
    import geopandas as gpd

    data = {GIS_FIELDS[c.key]: [r.get(c.key) for r in rows] for c in COLUMNS}
    data["monto_clp"] = [r.get("total_clp") for r in rows]  # the sum of the known line amounts
    data["fuentes"] = [r.get("sources") for r in rows]
    data["es_demo"] = [bool(r["is_demo"]) for r in rows]
    data["archivada"] = [bool(r.get("archived")) for r in rows]
    geoms = gpd.GeoSeries.from_wkb([r["wkb"] for r in rows], crs="EPSG:4326")
    gdf = gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326")
    for col in ("monto_clp", "inicio", "termino", "version"):
        gdf[col] = gdf[col].astype("Int64")
    if out.exists():
        out.unlink()
    gdf.to_file(out, driver=driver, layer="iniciativas" if driver == "GPKG" else None, engine="pyogrio")


def write_errors(errors: list[RowError], out: Path | io.BytesIO) -> None:
    """The rejected rows as a workbook: Hoja, Fila, Columna, Valor, Motivo."""
    wb = Workbook()
    ws = _first_sheet(wb)
    ws.title = "Errores"
    for col, h in enumerate(("Hoja", "Fila", "Columna", "Valor", "Motivo"), start=1):
        ws.cell(row=1, column=col, value=h).font = Font(bold=True)
    for r, e in enumerate(errors, start=2):
        ws.cell(row=r, column=1, value=e.sheet or SHEET_NAME)
        ws.cell(row=r, column=2, value=e.row)
        set_cell(ws.cell(row=r, column=3), e.column)
        set_cell(ws.cell(row=r, column=4), e.value)
        set_cell(ws.cell(row=r, column=5), e.reason)
    for letter, width in zip("ABCDE", (16, 8, 24, 30, 90), strict=True):
        ws.column_dimensions[letter].width = width
    wb.save(out)


def export_initiatives(conn: Connection, fmt: str, out: Path, filters: MapFilters | None = None) -> int:
    """Write the (filtered) initiatives to ``out`` in ``fmt``; return how many."""
    rows = export_rows(conn, filters)
    if fmt == "xlsx":
        write_workbook(rows, Lists.load(conn), out)
    elif fmt == "csv":
        out.write_bytes(write_csv(rows))
    elif fmt == "gpkg":
        write_gis(rows, out, "GPKG")
    elif fmt == "geojson":
        write_gis(rows, out, "GeoJSON")
    else:
        raise ValueError(fmt)
    return len(rows)


def export_bytes(conn: Connection, fmt: str, filters: MapFilters | None = None) -> bytes:
    """The export as bytes (for a download button)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"iniciativas.{fmt}"
        export_initiatives(conn, fmt, out, filters)
        return out.read_bytes()
