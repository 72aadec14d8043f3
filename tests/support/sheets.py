"""Helpers of the spreadsheet tests: database fingerprints and small workbooks."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import Connection, text

from geo.sheets.schema import HEADERS

TABLES = {
    "initiative": "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY id), '')) FROM initiative t",
    "initiative_territory": "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY initiative_id, "
    "territory_id), '')) FROM initiative_territory t",
    "initiative_facility": "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY initiative_id, "
    "facility_id), '')) FROM initiative_facility t",
    "status_history": "SELECT count(*)::text FROM status_history",
    "audit_log": "SELECT count(*)::text FROM audit_log",
    "territory": "SELECT count(*)::text FROM territory",
}


def fingerprint(conn: Connection) -> dict[str, str]:
    """A digest of every table an import may write (rows, values, updated_at)."""
    return {name: conn.execute(text(sql)).scalar_one() for name, sql in TABLES.items()}


def workbook(rows: list[dict], path: Path, headers: list[str] | None = None) -> Path:
    """An .xlsx with the template's headers and ``rows`` (dicts keyed by header)."""
    headers = headers or HEADERS
    wb = Workbook()
    ws = wb.active
    ws.title = "Iniciativas"
    ws.append(headers)
    for r, row in enumerate(rows, start=2):
        for c, h in enumerate(headers, start=1):
            cell = ws.cell(row=r, column=c, value=row.get(h))
            if isinstance(row.get(h), str):
                cell.data_type = "s"  # typed text, as Excel stores it (not a formula)
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())
    return path


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
        "Monto (CLP)": "$ 12.500.000",
        "Inicio (año)": 2016,
        "Término (año)": "31-12-2017",
    }
    base.update(extra)
    return base
