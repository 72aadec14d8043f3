"""The bad-spreadsheet corpus: each file gives its Spanish message and changes nothing."""

from pathlib import Path

import pytest

from geo.errors import DataError
from geo.sheets.importer import apply_import, plan_import
from tests.support.actors import TESTER
from tests.support.sheets import fingerprint

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "sheets"

#: file -> (column or None for a whole-file refusal, words of the Spanish message)
EXPECTED = {
    "vacio.csv": (None, "vacio.csv: el archivo está vacío"),
    "solo_encabezados.csv": (None, "no tiene filas de iniciativas"),
    "faltan_columnas.csv": (None, "faltan columnas obligatorias: Tipo, Estrategia"),
    "sin_encabezados.csv": (None, "no se encontró la fila de encabezados"),
    "estrategia_desconocida.csv": ("Estrategia", "estrategia desconocida «E99»"),
    "plan_de_otra_estrategia.csv": ("Plan", "el plan «E2.P1» no pertenece a la estrategia «E1»"),
    "monto_ilegible.xlsx": ("Monto (CLP)", "no se entiende «doce millones»"),
    "codigo_repetido.csv": ("Código", "«T-1» está repetido en el archivo (ya en la fila 2)"),
    "fecha_inexistente.csv": ("Inicio (año)", "la fecha «31-02-2016» no existe"),
    "termino_antes_de_inicio.csv": ("Término (año)", "el término (2016) es anterior al inicio (2018)"),
    "lugar_desconocido_latin1.csv": ("Ubicación", "«Peñablanca»: lugar desconocido"),
    "lugar_ambiguo.csv": ("Ubicación", "«Huasco»: ambiguo"),
    "html_jinja.csv": ("Estrategia", "estrategia desconocida «{{ 7*7 }}»"),
    "formulas.xlsx": ("Monto (CLP)", "la celda contiene una fórmula (=10*1000000)"),
    "truncada.xlsx": (None, "truncada.xlsx: el archivo comprimido está dañado o incompleto"),
    "no_es_planilla.xlsx": (None, "no_es_planilla.xlsx: el archivo comprimido está dañado"),
    "informe.pdf": (None, "informe.pdf: no es una planilla: se aceptan archivos .xlsx o .csv"),
    "antiguo.xls": (None, "formato .xls no admitido; guarde la planilla como Excel .xlsx"),
    "binario.csv": (None, "binario.csv: no es un archivo de texto CSV"),
    "bomba.xlsx": (None, "bomba.xlsx: descomprimido ocuparía"),
}


def test_the_corpus_is_complete():
    files = {p.name for p in CORPUS.iterdir() if p.suffix != ".py"}
    assert files == set(EXPECTED) and len(files) >= 12


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_is_explained_and_changes_nothing(conn, name):
    column, message = EXPECTED[name]
    before = fingerprint(conn)
    if column is None:
        with pytest.raises(DataError) as exc:
            plan_import(conn, CORPUS / name)
        assert message in str(exc.value)
    else:
        plan = plan_import(conn, CORPUS / name)
        errors = [e for e in plan.errors if e.column == column]
        assert errors and message in errors[0].reason, [str(e) for e in plan.errors]
        assert errors[0].row >= 2  # the spreadsheet's own row number
        valid = len(plan.by_status("nueva")) + len(plan.by_status("cambios"))
        if valid:  # a file with valid rows too: --strict refuses all of it
            with pytest.raises(DataError, match="no se importó nada"):
                apply_import(conn, plan, strict=True, actor=TESTER)
        else:
            assert apply_import(conn, plan, actor=TESTER).inserted == 0
    assert fingerprint(conn) == before


def test_formula_in_a_text_cell_is_rejected_too(conn):
    plan = plan_import(conn, CORPUS / "formulas.xlsx")
    by_row = {e.row: e for e in plan.errors}
    assert by_row[3].column == "Nombre" and "HYPERLINK" in by_row[3].value
    assert plan.counts()["rechazadas"] == 2


def test_html_and_jinja_are_reported_as_written(conn):
    plan = plan_import(conn, CORPUS / "html_jinja.csv")
    reasons = " ".join(e.reason for e in plan.errors)
    assert "<script>alert(1)</script>" in reasons and "{{ 7*7 }}" in reasons
