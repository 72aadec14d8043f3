"""Export then import changes nothing; GIS exports read back with their CRS and geometries."""

import csv
import io

import pyogrio
import pytest
import shapely
from openpyxl import load_workbook
from sqlalchemy import text

from geo.initiatives.demo import generate_demo
from geo.initiatives.filters import MapFilters
from geo.sheets.importer import apply_import, plan_import
from geo.sheets.writer import export_initiatives
from tests.support.actors import TESTER
from tests.support.sheets import line, row, workbook

TRICKY = {
    "X-F1": '=HYPERLINK("http://evil","clic")',
    "X-F2": "+56 9 1234 5678",
    "X-F3": "-Plaza con guion",
    "X-F4": "@SUM(A1)",
    "X-F5": "<script>alert(1)</script> {{ 7*7 }} Ñandú",
}


@pytest.fixture
def portfolio(conn, tmp_path):
    """Catalogue + demo geometries + imported rows with places, facilities and tricky text."""
    generate_demo(conn, 30, seed=5, actor=TESTER)
    rows = [row(code, Nombre=name, **{"Descripción": name}) for code, name in TRICKY.items()]
    rows.append(
        row(
            "X-P1",
            **{
                "Ubicación": "UV 3; Domeyko; Sitio: Vivero; Escuela Gabriela Mistral",
                "Código BIP": "30999888",
                "Unidad responsable": "SECPLAC",
                "Etapa BIP": "Diseño",
                "Resultado técnico": "RS",
                "Nota de ubicación": "frente a la plaza",
            },
        )
    )
    lines = [
        line("X-P1"),
        line(
            "X-P1",
            Fuente="Sectorial",
            Año=2017,
            Etapa="Postulado",
            **{"Detalle de la fuente": "=MINVU", "Monto (CLP)": None},
        ),
        line("X-F5", Fuente="Otro", **{"Detalle de la fuente": TRICKY["X-F5"]}),
    ]
    plan = plan_import(conn, workbook(rows, tmp_path / "seed.xlsx", lines=lines))
    assert plan.counts()["nuevas"] == len(TRICKY) + 1 and not plan.errors
    apply_import(conn, plan, actor=TESTER)
    return conn.execute(text("SELECT count(*) FROM initiative")).scalar_one()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_spreadsheet_export_then_import_is_unchanged(conn, tmp_path, portfolio, fmt):
    out = tmp_path / f"iniciativas.{fmt}"
    assert export_initiatives(conn, fmt, out) == portfolio
    plan = plan_import(conn, out)
    # The xlsx carries the lines (and so replaces them by themselves); a CSV has no second
    # sheet and leaves them alone: either way nothing changes.
    assert plan.has_funding == (fmt == "xlsx")
    assert plan.counts() == {
        "nuevas": 0,
        "con cambios": 0,
        "en conflicto": 0,
        "sin cambios": portfolio,
        "rechazadas": 0,
    }, [(r.code, r.changed, [str(e) for e in r.errors]) for r in plan.rows if r.status != "sin_cambios"][:5]


def test_xlsx_neutralises_formulas_and_keeps_the_text(conn, tmp_path, portfolio):
    out = tmp_path / "i.xlsx"
    export_initiatives(conn, "xlsx", out)
    ws = load_workbook(out)["Iniciativas"]
    cells = {r[0].value: r[1] for r in ws.iter_rows(min_row=2)}
    for code, name in TRICKY.items():
        cell = cells[code]
        assert cell.value == name and cell.data_type == "s"  # text, never a formula
        if name[0] in "=+-@":
            assert cell.quotePrefix
    assert not any(c.data_type == "f" for r in ws.iter_rows() for c in r)


def test_csv_opens_in_excel_with_accents_and_no_formulas(conn, tmp_path, portfolio):
    out = tmp_path / "i.csv"
    export_initiatives(conn, "csv", out)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel detects the encoding
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Código", "Nombre", "Tipo"] and rows[0][8] == "Ubicación"
    names = {r[0]: r[1] for r in rows[1:]}
    assert names["X-F1"].startswith("'=") and names["X-F3"].startswith("'-")
    assert names["X-F5"] == TRICKY["X-F5"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows[1:] for cell in r)


@pytest.mark.parametrize("fmt", ["gpkg", "geojson"])
def test_gis_export_reads_back_in_epsg_4326(conn, tmp_path, portfolio, fmt):
    out = tmp_path / f"i.{fmt}"
    export_initiatives(conn, fmt, out)
    info = pyogrio.read_info(out)
    assert info["crs"] in ("EPSG:4326", "OGC:CRS84")
    df = pyogrio.read_dataframe(out)
    assert len(df) == portfolio
    assert df.crs.to_epsg() == 4326
    db = dict(
        conn.execute(text("SELECT code, ST_AsBinary(geom) FROM initiative WHERE geom IS NOT NULL")).all()
    )
    got = {c: g for c, g in zip(df["codigo"], df.geometry, strict=True) if g is not None}
    assert set(got) == set(db) and len(db) == 30
    for code, wkb in db.items():
        assert shapely.equals_exact(got[code], shapely.from_wkb(bytes(wkb)), tolerance=1e-9)
    by_code = df.set_index("codigo")
    assert by_code.loc["X-F5", "nombre"] == TRICKY["X-F5"]
    assert by_code.loc["X-P1", "monto_clp"] == 12_500_000  # the known line; the other has no amount
    assert by_code.loc["X-P1", "fuentes"] == "FNDR, Sectorial (=MINVU)"
    assert "Domeyko" in by_code.loc["X-P1", "ubicacion"]
    assert by_code["es_demo"].sum() == 30


def test_export_respects_the_filters(conn, tmp_path, portfolio):
    out = tmp_path / "e4.xlsx"
    e4 = conn.execute(
        text(
            "SELECT count(*) FROM initiative i JOIN strategy s ON s.id = i.strategy_id "
            "WHERE s.code = 'E4' AND NOT i.is_demo"
        )
    ).scalar_one()
    assert export_initiatives(conn, "xlsx", out, MapFilters(strategies=("E4",))) == e4 > 0
    codes = [r[0].value for r in load_workbook(out)["Iniciativas"].iter_rows(min_row=2)]
    assert len(codes) == e4


def test_template_has_lists_validation_and_instructions(conn, tmp_path):
    from geo.sheets.schema import HEADERS, Lists
    from geo.sheets.writer import write_workbook

    out = tmp_path / "plantilla.xlsx"
    write_workbook([], Lists.load(conn), out)
    wb = load_workbook(out)
    ws = wb["Iniciativas"]
    assert [c.value for c in ws[1]] == HEADERS
    assert wb["Listas"].sheet_state == "hidden" and "Instrucciones" in wb.sheetnames
    validated = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    col = {h: chr(ord("A") + i) for i, h in enumerate(HEADERS)}
    for header in ("Tipo", "Estrategia", "Plan", "Estado", "Sector", "Etapa BIP", "Resultado técnico"):
        assert f"{col[header]}2" in validated, header
    fs = wb["Financiamiento"]
    assert [c.value for c in fs[1]] == [
        "Código",
        "Fuente",
        "Detalle de la fuente",
        "Año",
        "Monto (CLP)",
        "Etapa",
    ]
    assert {str(dv.sqref).split(":")[0] for dv in fs.data_validations.dataValidation} == {"B2", "F2"}
    strategies = [c.value for c in wb["Listas"]["B"][1:] if c.value]
    assert len(strategies) == 9 and strategies[0] == "E1 · Desarrollo Territorial"
    text_all = " ".join(str(c.value) for c in wb["Instrucciones"]["A"] if c.value)
    assert "Sector: el alcance territorial" in text_all and "dd-mm-aaaa" in text_all
    assert plan_import_empty_message(conn, out)


def plan_import_empty_message(conn, path):
    from geo.errors import DataError

    with pytest.raises(DataError, match="no tiene filas de iniciativas"):
        plan_import(conn, path)
    return True


def test_the_export_has_one_row_per_funding_line(conn, tmp_path, portfolio):
    out = tmp_path / "i.xlsx"
    export_initiatives(conn, "xlsx", out)
    fs = load_workbook(out)["Financiamiento"]
    rows = [tuple(c.value for c in r) for r in fs.iter_rows(min_row=2)]
    assert len(rows) == conn.execute(text("SELECT count(*) FROM funding_line")).scalar_one() > 30
    by_code = [r for r in rows if r[0] == "X-P1"]
    assert by_code == [
        ("X-P1", "FNDR", None, 2016, 12_500_000, "Aprobado"),
        ("X-P1", "Sectorial", "=MINVU", 2017, None, "Postulado"),  # no amount: an empty cell, never 0
    ]
    detail = next(c for c in fs["C"] if c.value == "=MINVU")
    assert detail.data_type == "s" and detail.quotePrefix  # typed text, never a formula
