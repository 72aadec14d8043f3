"""The Planillas page with AppTest: template, upload → preview → confirm, errors, export."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from layers.sanitize import clean_markdown
from tests.pages.conftest import app_as
from tests.support.sheets import line, row, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def page(engine, monkeypatch, accounts):
    with app_as(monkeypatch, accounts["secplac"], "pages/planillas.py") as at:
        assert not at.exception
        yield at
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM initiative WHERE code LIKE 'APP-%'"))
        conn.execute(text("DELETE FROM audit_log WHERE details->>'archivo' = 'planilla.xlsx'"))


def count(engine, sql):
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_upload_preview_then_confirm(page, engine, tmp_path):
    assert page.title[0].value == "Planillas de iniciativas"
    f = workbook(
        [
            row("APP-1"),
            row("APP-2", **{"Estrategia": "E99"}),
            row("APP-3", **{"Nombre": "<img src=x onerror=alert(1)> {{ 7*7 }}"}),
        ],
        tmp_path / "planilla.xlsx",
    )
    page.file_uploader(key="upload").set_value(("planilla.xlsx", f.read_bytes(), XLSX)).run()
    assert not page.exception
    assert metric(page, "Nuevas") == "2" and metric(page, "Rechazadas") == "1"
    errors = page.dataframe[-1].value
    assert errors.iloc[0]["Fila"] == 3 and errors.iloc[0]["Columna"] == "Estrategia"
    assert count(engine, "SELECT count(*) FROM initiative WHERE code LIKE 'APP-%'") == 0  # preview only

    page.button(key="import_confirm").click().run()
    assert not page.exception and not page.error
    assert any("2 nuevas" in s.value for s in page.success)
    assert count(engine, "SELECT count(*) FROM initiative WHERE code LIKE 'APP-%'") == 2
    assert (
        count(engine, "SELECT name FROM initiative WHERE code = 'APP-3'")
        == "<img src=x onerror=alert(1)> {{ 7*7 }}"
    )


def test_strict_checkbox_refuses_the_file(page, engine, tmp_path):
    f = workbook(
        [row("APP-1"), row("APP-2")],
        tmp_path / "planilla.xlsx",
        lines=[line("APP-1"), line("APP-2", **{"Monto (CLP)": "mucho"})],
    )
    page.file_uploader(key="upload").set_value(("planilla.xlsx", f.read_bytes(), XLSX)).run()
    page.checkbox(key="import_strict").check().run()
    page.button(key="import_confirm").click().run()
    assert any("modo estricto" in e.value for e in page.error)
    assert count(engine, "SELECT count(*) FROM initiative WHERE code LIKE 'APP-%'") == 0


def test_a_row_changed_after_the_export_waits_for_a_checked_box(page, engine, tmp_path):
    from geo.sheets.writer import export_initiatives
    from geo.store.actor import Actor
    from geo.store.initiatives import InitiativeChange, save_initiatives

    with engine.begin() as conn:
        e1 = conn.execute(text("SELECT id FROM strategy WHERE code = 'E1'")).scalar()
        (created,) = save_initiatives(
            conn,
            Actor("Ana Rojas", "prueba", role="secplac"),
            [
                InitiativeChange(
                    values={"code": "APP-9", "name": "Plaza", "kind": "proyecto", "strategy_id": e1}
                )
            ],
        )
        exported = tmp_path / "planilla.xlsx"
        export_initiatives(conn, "xlsx", exported)
        save_initiatives(
            conn,
            Actor("Pedro Soto", "otra sesión", role="secplac"),
            [InitiativeChange(values={"name": "Plaza de Pedro"}, id=created.id)],
        )
    wb = load_workbook(exported)
    ws = wb["Iniciativas"]
    target = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "APP-9")
    wb["Financiamiento"].append(["APP-9", "Municipal", None, 2016, 5_000_000, "Aprobado"])
    wb.save(exported)
    page.file_uploader(key="upload").set_value(("planilla.xlsx", exported.read_bytes(), XLSX)).run()
    assert not page.exception and metric(page, "En conflicto") == "1"
    assert any("Pedro Soto la cambió el" in m.value for m in page.markdown)
    shown = next(d.value for d in page.dataframe if "En el sistema" in d.value.columns)
    assert dict(zip(shown["Campo"], shown["En el sistema"], strict=True))["Nombre"] == "Plaza de Pedro"
    confirm = page.button(key="import_confirm")
    assert confirm.disabled and confirm.label == "Confirmar importación (0 filas)"  # nothing else to write
    assert count(engine, "SELECT name FROM initiative WHERE code = 'APP-9'") == "Plaza de Pedro"
    # The person decides that the workbook is right for that row.
    page.checkbox(key=f"import_overwrite_{target}").check().run()
    page.button(key="import_confirm").click().run()
    assert any(clean_markdown("Sobrescritas tras conflicto: APP-9") in s.value for s in page.success)
    assert (
        count(
            engine,
            "SELECT f.amount_clp FROM funding_line f JOIN initiative i ON i.id = f.initiative_id "
            "WHERE i.code = 'APP-9'",
        )
        == 5_000_000
    )


def test_bad_file_is_explained(page, engine):
    page.file_uploader(key="upload").set_value(("roto.xlsx", b"PK\x03\x04 no es un zip", XLSX)).run()
    assert not page.exception
    assert any(clean_markdown("roto.xlsx: el archivo comprimido está dañado") in e.value for e in page.error)


def test_template_and_export_downloads(page, engine):
    from ui import sheets

    tpl = load_workbook(io.BytesIO(sheets.template_bytes("t")))
    assert tpl["Iniciativas"]["B1"].value == "Nombre"
    page.selectbox(key="export_format").set_value("csv").run()
    assert not page.exception
    data = sheets.export_data(((), (), (), (), (), True), "v", "csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) - 1 == count(engine, "SELECT count(*) FROM initiative")


HOSTILE = "![x](http://203.0.113.1/x.png) $x^2$ http://203.0.113.1"


def test_an_unknown_hostile_column_header_is_shown_as_text(page, tmp_path):
    """A header is text from the file: no image, link or LaTeX in the preview's caption."""
    from geo.sheets.schema import HEADERS

    f = workbook([row("APP-1")], tmp_path / "planilla.xlsx", headers=[*HEADERS, HOSTILE])
    page.file_uploader(key="upload").set_value(("planilla.xlsx", f.read_bytes(), XLSX)).run()
    assert not page.exception
    caption = next(c.value for c in page.caption if c.value.startswith("Columnas ignoradas"))
    assert caption == "Columnas ignoradas: " + clean_markdown(HOSTILE)
    assert not re.search(r"(?<!\\)[!\[\]$]", caption) and "http://" not in caption


def test_the_uploader_states_its_size_cap_in_spanish(page):
    """Streamlit's own refusal of a big file is English and cannot be changed: say it first."""
    help_text = page.get("file_uploader")[0].help
    assert help_text.startswith("Máximo 50 MB por archivo") and "File must be 50.0MB" in help_text
