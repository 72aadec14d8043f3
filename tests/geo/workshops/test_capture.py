"""The capture spreadsheet: template, preview, error workbook, and needs located in their cells."""

import io
from pathlib import Path

import pytest
import shapely
from openpyxl import load_workbook
from sqlalchemy import text

from geo.errors import DataError
from geo.reports.kit import territory_grid
from geo.store.workshops import WorkshopValues, close_workshop, create_workshop
from geo.workshops.capture import apply_capture, capture_template, plan_capture
from geo.workshops.grid import grid_cell_polygon
from tests.support.actors import TESTER


def uv(conn, code: str) -> int:
    return conn.execute(
        text("SELECT id FROM territory WHERE kind = 'unidad_vecinal' AND code = :c"), {"c": code}
    ).scalar_one()


def workshop(conn) -> int:
    return create_workshop(
        conn,
        TESTER,
        WorkshopValues(held_on="05-12-2026", place="Sede social", territory_ids=[uv(conn, "05")]),
    )


def filled(conn, tmp_path: Path, wid: int, rows: list[tuple], name: str = "captura.xlsx") -> Path:
    """The workshop's template for UV 05 with ``rows`` typed under the headers."""
    wb = load_workbook(io.BytesIO(capture_template(conn, wid, "UV 05")))
    ws = wb["Captura"]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)
    path = tmp_path / name
    wb.save(path)
    return path


def test_a_need_typed_in_cell_c4_is_recorded_inside_that_cell(conn, tmp_path):
    wid = workshop(conn)
    path = filled(
        conn,
        tmp_path,
        wid,
        [
            ("C4", "Problema", "E1 · Desarrollo Territorial", "Veredas rotas frente a la sede", 5),
            ("b2", "valor", "Otra", "La plaza <b>{{ 7*7 }}</b>", None),
        ],
    )
    plan = plan_capture(conn, TESTER, path, wid)
    assert plan.counts() == {"necesidades nuevas": 2, "ya importadas": 0, "filas rechazadas": 0}
    assert [(r.cell, r.kind, r.strategy_label, r.votes) for r in plan.rows] == [
        ("C4", "problema", "E1 · Desarrollo Territorial", 5),
        ("B2", "valor", "Otra (fuera de las líneas del plan)", 0),
    ]
    ids = apply_capture(conn, plan, TESTER)
    assert len(ids) == 2
    grid = territory_grid(conn, uv(conn, "05"))
    need = conn.execute(
        text(
            """
        SELECT kind, text, votes, origin, state, strategy_id IS NULL AS otra,
               ST_Within(ST_Transform(geom, 32719), ST_Buffer(ST_GeomFromWKB(:cell, 32719), 0.001)) AS within,
               ST_Area(ST_Transform(geom, 32719)) AS area
          FROM need WHERE id = :id
        """
        ),
        {"id": ids[0], "cell": shapely.to_wkb(grid_cell_polygon(grid, "C4"))},
    ).one()
    assert need.within and need.area == pytest.approx(grid.cell_m**2, rel=1e-4)
    assert (need.kind, need.votes, need.origin, need.state) == ("problema", 5, "planilla", "aceptada")
    other = conn.execute(text("SELECT text, strategy_id FROM need WHERE id = :id"), {"id": ids[1]}).one()
    assert other.text == "La plaza <b>{{ 7*7 }}</b>" and other.strategy_id is None  # stored as typed
    # the same file again: nothing new, nothing written twice
    again = plan_capture(conn, TESTER, path, wid)
    assert again.counts()["ya importadas"] == 2 and apply_capture(conn, again, TESTER) == []
    audit = conn.execute(
        text("SELECT details->>'donde' FROM audit_log WHERE table_name = 'need' AND row_id = :id"),
        {"id": str(ids[0])},
    ).scalar_one()
    assert audit == "fila 2 de captura.xlsx (celda C4)"


def test_bad_rows_get_spanish_messages_naming_file_sheet_row_and_column_and_nothing_is_written(
    conn, tmp_path
):
    wid = workshop(conn)
    path = filled(
        conn,
        tmp_path,
        wid,
        [
            ("C4", "Problema", "E1", "Bien", 1),
            ("Z9", "Propuesta", "E2", "Fuera del mapa", 1),
            ("B2", "Queja", "E3", "Tipo desconocido", 1),
            ("B3", "Valor", "E42", "Estrategia inexistente", 1),
            ("B4", "Problema", "", "", "tres"),
            ("B5", "Problema", "E1", '=HYPERLINK("http://x")', 1),
        ],
        name="taller norte.xlsx",
    )
    before = conn.execute(text("SELECT count(*) FROM need")).scalar_one()
    plan = plan_capture(conn, TESTER, path, wid)
    messages = plan.messages()
    assert messages[0].startswith("taller norte.xlsx, hoja «Captura», fila 3, columna «Celda»: la celda «Z9»")
    expected = [
        "fila 4, columna «Tipo»: «Queja» no es un tipo",
        "fila 5, columna «Estrategia»: «E42» no es una estrategia del plan",
        "fila 6, columna «Texto»: falta el texto de la necesidad",
        "fila 6, columna «Votos»: se esperaba un número entero ≥ 0 y se encontró «tres»",
        "fila 7, columna «Texto»: la celda contiene una fórmula",
    ]
    for part in expected:
        assert any(part in m for m in messages), part
    assert plan.counts() == {"necesidades nuevas": 1, "ya importadas": 0, "filas rechazadas": 5}
    with pytest.raises(DataError, match=r"taller norte.xlsx: no se importó nada: 5 fila\(s\) con errores"):
        apply_capture(conn, plan, TESTER)
    assert conn.execute(text("SELECT count(*) FROM need")).scalar_one() == before
    errors = load_workbook(io.BytesIO(plan.error_workbook()))["Errores"]
    header, *table = [tuple(c.value for c in row) for row in errors.iter_rows()]
    rows = [dict(zip(header, row, strict=True)) for row in table]
    assert len(rows) == 6 and {"Hoja", "Fila", "Columna", "Valor", "Motivo"} <= set(header)
    assert {r["Hoja"] for r in rows} == {"Captura"}
    first = rows[0]
    assert (first["Fila"], first["Columna"], first["Valor"]) == (3, "Celda", "Z9")
    assert first["Motivo"].startswith("taller norte.xlsx: la celda «Z9» no está en el mapa")


def test_a_file_of_another_workshop_or_grid_or_a_closed_workshop_is_refused(conn, tmp_path):
    wid, other = workshop(conn), workshop(conn)
    path = filled(conn, tmp_path, wid, [("C4", "Problema", "E1", "Bien", 1)])
    with pytest.raises(DataError, match=rf"la planilla es del taller {wid}, no del taller {other}"):
        plan_capture(conn, TESTER, path, other)
    wb = load_workbook(path)
    wb["Taller"]["B4"] = "origen 0 0; celda 100 m; 3 columnas x 3 filas; EPSG:32719"
    wb.save(path)
    with pytest.raises(DataError, match="el límite del territorio cambió después de imprimir el kit"):
        plan_capture(conn, TESTER, path, wid)
    good = filled(conn, tmp_path, wid, [("C4", "Problema", "E1", "Bien", 1)], name="b.xlsx")
    plan = plan_capture(conn, TESTER, good, wid)
    close_workshop(conn, TESTER, wid, closing_report="Terminado")
    with pytest.raises(DataError, match="está cerrado"):
        apply_capture(conn, plan, TESTER)
    not_xlsx = tmp_path / "captura.csv"
    not_xlsx.write_text("Celda;Tipo\n")
    with pytest.raises(DataError, match="es un archivo Excel .xlsx"):
        plan_capture(conn, TESTER, not_xlsx, wid)
