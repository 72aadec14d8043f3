"""The fast .xlsx reader (python-calamine) reads what openpyxl read, and leaves the rest to openpyxl.

Each test builds a small workbook with openpyxl and compares :func:`read_table` (fast path
when the sheet is plain) with the openpyxl reader the import used before: a planner must
get the same rows, values and messages whichever reader ran.
"""

import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from geo.sheets.importer import plan_import
from geo.sheets.reader import _plain_sheet, _read_xlsx_openpyxl, read_table
from tests.support.sheets import row, workbook

HEAD = ["Código", "Nombre", "Tipo", "Estrategia", "Plan", "Código BIP", "Inicio (año)", "Descripción"]


def _book(
    path: Path, rows: list[list], *, before: list[str] | None = None, hidden_first: bool = False
) -> Path:
    wb = Workbook()
    ws = wb.active
    if hidden_first:
        ws.title = "Notas"
        ws.sheet_state = "hidden"
        ws.append(["Código", "Nombre", "Tipo"])
        ws = wb.create_sheet("Iniciativas")
    else:
        ws.title = "Iniciativas"
    for title in before or []:
        ws.append([title])
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _same_as_openpyxl(path: Path) -> None:
    fast, slow = read_table(path), _read_xlsx_openpyxl(path, path.name)
    assert (fast.sheet, fast.present, fast.ignored) == (slow.sheet, slow.present, slow.ignored)
    assert [(r.number, r.cells, r.formulas) for r in fast.rows] == [
        (r.number, r.cells, r.formulas) for r in slow.rows
    ]
    for a, b in zip(fast.rows, slow.rows, strict=True):  # same types too: 2016 stays int, not 2016.0
        assert {k: type(v) for k, v in a.cells.items()} == {k: type(v) for k, v in b.cells.items()}


def _is_plain(path: Path) -> bool:
    with zipfile.ZipFile(path) as zf:
        return _plain_sheet(zf) is not None


def test_plain_sheet_reads_every_kind_of_cell_as_before(tmp_path):
    path = _book(
        tmp_path / "tipos.xlsx",
        [
            ["T-1", "Plaza", "Proyecto", "E1", "E1.P1", 12_500_000, 2016, "  espacios  "],
            [123, 4.5, True, "E1", None, 12_500_000.0, datetime(2016, 3, 1), date(2017, 1, 2)],
            [],
            ["T-3", "Sede", "Estudio", "E1", "E1.P1", "$ 1.000", datetime(2016, 3, 1, 10, 30), time(10, 30)],
            [None, None, None, None, None, None, None, timedelta(hours=30)],
            ["T-5", "'=texto", "línea\nnueva", "Ñandú", "", -3, 1e20, 0.1],
        ],
        before=["Cartera 2016", ""],
    )
    assert _is_plain(path)
    _same_as_openpyxl(path)
    table = read_table(path)
    assert [r.number for r in table.rows] == [4, 5, 7, 8, 9]  # the spreadsheet's own row numbers


def test_import_is_the_same_with_either_reader(conn, tmp_path):
    rows = [
        row("T-1", **{"Inicio (año)": datetime(2016, 3, 1), "Término (año)": 2018}),
        row("T-2", **{"Inicio (año)": 2019.5, "Término (año)": 2017}),
        row("T-3", **{"Ubicación": "UV 3; Domeyko", "Código BIP": 30999888}),
    ]
    path = workbook(rows, tmp_path / "import.xlsx")
    assert _is_plain(path)
    plan = plan_import(conn, path)
    assert [(r.row, r.status, r.values.get("start_year")) for r in plan.rows] == [
        (2, "nueva", 2016),
        (3, "rechazada", None),
        (4, "nueva", 2016),
    ]
    assert plan.rows[2].values["bip_code"] == "30999888"
    assert [str(e) for e in plan.errors] == [
        "fila 3, columna «Inicio (año)»: «2019.5» no es un año (escriba, p. ej., 2016)"
    ]
    assert plan.errors[0].value == "2019.5"


@pytest.mark.parametrize(
    "formula",
    ["=10*1000000", '=HYPERLINK("http://x","y")', "=SUM(A1:A3)"],
)
def test_a_formula_anywhere_in_a_large_sheet_is_still_reported(conn, tmp_path, formula):
    rows = [["T-%d" % i, "Plaza %d" % i, "Proyecto", "E1", "E1.P1", None, 2016, "texto"] for i in range(500)]
    rows[321][5] = formula
    path = _book(tmp_path / "formula.xlsx", rows)
    assert not _is_plain(path)  # the formula sends the file to openpyxl
    plan = plan_import(conn, path)
    assert [(e.row, e.column) for e in plan.errors] == [(323, "Código BIP")]
    assert f"la celda contiene una fórmula ({formula[:40]})" in plan.errors[0].reason


def test_formula_with_a_namespace_prefix_is_found(tmp_path):
    path = _book(tmp_path / "f.xlsx", [["T-1", "Plaza", "Proyecto", "E1", "E1.P1", "=1+1", 2016, ""]])
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert b"<f>" in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        b"<f>", b'<x:f xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    ).replace(b"</f>", b"</x:f>")
    prefixed = tmp_path / "prefijo.xlsx"
    with zipfile.ZipFile(prefixed, "w") as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    assert not _is_plain(prefixed)
    assert read_table(prefixed).rows[0].formulas == {"bip"}


def test_error_cell_pasted_as_value_is_refused_as_before(conn, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Iniciativas"
    ws.append(HEAD)
    ws.append(["T-1", "Plaza", "Proyecto", "E1", "E1.P1", None, "#N/A", ""])
    assert ws["G2"].data_type == "e"
    wb.save(tmp_path / "error.xlsx")
    assert not _is_plain(tmp_path / "error.xlsx")  # calamine would read it as an empty cell
    plan = plan_import(conn, tmp_path / "error.xlsx")
    assert [e.reason for e in plan.errors] == ["«#N/A» no es un año ni una fecha: escriba 2016 o dd-mm-aaaa"]


def test_escaped_looking_text_is_kept_as_written(tmp_path):
    path = _book(
        tmp_path / "x.xlsx", [["T-1", "Nota _x000D_ literal", "Proyecto", "E1", "E1.P1", 1, 2016, ""]]
    )
    assert not _is_plain(path)
    assert read_table(path).rows[0].cells["name"] == "Nota _x000D_ literal"


def test_sheet_is_chosen_as_before(tmp_path):
    path = _book(
        tmp_path / "oculta.xlsx",
        [["T-1", "Plaza", "Proyecto", "E1", "E1.P1", 1, 2016, ""]],
        hidden_first=True,
    )
    assert _is_plain(path)
    assert read_table(path).sheet == "Iniciativas"
    _same_as_openpyxl(path)
    wb = Workbook()
    wb.active.title = "Oculta"
    wb.active.sheet_state = "hidden"
    wb.active.append(HEAD)
    visible = wb.create_sheet("Mi cartera")
    visible.append(HEAD)
    visible.append(["T-9", "Plaza", "Proyecto", "E1", "E1.P1", 1, 2016, ""])
    wb.save(tmp_path / "otra.xlsx")
    assert read_table(tmp_path / "otra.xlsx").sheet == "Mi cartera"
    _same_as_openpyxl(tmp_path / "otra.xlsx")
