"""Helpers of the spreadsheet tests: database fingerprints and small workbooks."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import Connection, text

from geo.sheets.schema import FUNDING_HEADERS, FUNDING_SHEET, HEADERS

TABLES = {
    "initiative": "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY id), '')) FROM initiative t",
    "initiative_territory": "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY initiative_id, "
    "territory_id), '')) FROM initiative_territory t",
    "initiative_facility": "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY initiative_id, "
    "facility_id), '')) FROM initiative_facility t",
    "funding_line": "SELECT md5(coalesce(string_agg((initiative_id, source, source_detail, year, "
    "amount_clp, stage)::text, '|' ORDER BY id), '')) FROM funding_line",
    "status_history": "SELECT count(*)::text FROM status_history",
    "audit_log": "SELECT count(*)::text FROM audit_log",
    "territory": "SELECT count(*)::text FROM territory",
}


def fingerprint(conn: Connection) -> dict[str, str]:
    """A digest of every table an import may write (rows, values, updated_at)."""
    return {name: conn.execute(text(sql)).scalar_one() for name, sql in TABLES.items()}


def workbook(
    rows: list[dict], path: Path, headers: list[str] | None = None, lines: list[dict] | None = None
) -> Path:
    """An .xlsx with the template's headers and ``rows`` (dicts keyed by header).

    ``lines`` (dicts keyed by the headers of «Financiamiento») add that sheet; None leaves
    it out, as in a workbook made before the funding lines.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "Iniciativas"
    _fill(ws, headers or HEADERS, rows)
    if lines is not None:
        _fill(wb.create_sheet(FUNDING_SHEET), FUNDING_HEADERS, lines)
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return path


def _fill(ws, headers: list[str], rows: list[dict]) -> None:
    ws.append(headers)
    for r, row in enumerate(rows, start=2):
        for c, h in enumerate(headers, start=1):
            cell = ws.cell(row=r, column=c, value=row.get(h))
            if isinstance(row.get(h), str):
                cell.data_type = "s"  # typed text, as Excel stores it (not a formula)


def line(code: str, **extra) -> dict:
    """A valid funding line of ``code`` (FNDR 2016, $ 12.500.000, approved) with overrides by header."""
    base = {"Código": code, "Fuente": "FNDR", "Año": 2016, "Monto (CLP)": "$ 12.500.000", "Etapa": "Aprobado"}
    base.update(extra)
    return base


def row(code: str, **extra) -> dict:
    """A valid row (E1 / E1.P1, a project at UV 3) with overrides by header."""
    base = {
        "Código": code,
        "Nombre": f"Mejoramiento plaza {code}",
        "Tipo": "Proyecto",
        "Estrategia": "E1 · Desarrollo Territorial",
        "Plan": "E1.P1",
        "Estado": "Perfil",
        "Ubicación": "UV 3",
        "Inicio (año)": 2016,
        "Término (año)": "31-12-2017",
    }
    base.update(extra)
    return base
