"""``sit template``, ``sit import initiatives`` and ``sit export initiatives`` as separate processes."""

import json

import pytest
from openpyxl import load_workbook

from tests.conftest import run_sit, set_up_database
from tests.support.sheets import row, workbook


@pytest.fixture(scope="module")
def url():
    return set_up_database("cli_sheets")


def total(url):
    return json.loads(run_sit("stats", "--json", url=url).stdout)["initiatives"]["total"]


def test_template_import_dry_run_strict_and_reimport(url, tmp_path):
    run_sit("template", str(tmp_path / "plantilla.xlsx"), url=url)
    assert load_workbook(tmp_path / "plantilla.xlsx")["Iniciativas"]["A1"].value == "Código"
    base = total(url)
    f = workbook([row("C-1"), row("C-2", **{"Ubicación": "Huasco"}), row("C-3")], tmp_path / "p.xlsx")

    out = run_sit(
        "import", "initiatives", str(f), "--dry-run", "--errors", str(tmp_path / "e.xlsx"), url=url
    ).stdout
    assert "nuevas: 2" in out and "rechazadas: 1" in out
    assert "fila 3, columna «Ubicación»: «Huasco»: ambiguo" in out
    assert "no se escribió nada" in out and total(url) == base
    err = load_workbook(tmp_path / "e.xlsx")["Errores"]
    assert [c.value for c in err[2]][:3] == ["Iniciativas", 3, "Ubicación"]

    strict = run_sit("import", "initiatives", str(f), "--strict", url=url, check=False)
    assert strict.returncode == 2 and "modo estricto" in strict.stderr and "Traceback" not in strict.stderr
    assert total(url) == base

    out = run_sit("import", "initiatives", str(f), url=url).stdout
    assert "2 nuevas" in out and total(url) == base + 2
    again = run_sit("import", "initiatives", str(f), url=url).stdout
    assert "sin cambios: 2" in again and "0 nuevas" in again and total(url) == base + 2


def test_export_every_format_then_import_is_unchanged(url, tmp_path):
    n = total(url)
    for fmt in ("xlsx", "csv", "gpkg", "geojson"):
        out = run_sit("export", "initiatives", "--format", fmt, str(tmp_path / f"i.{fmt}"), url=url).stdout
        assert f"Iniciativas exportadas: {n}" in out
    for fmt in ("xlsx", "csv"):
        out = run_sit("import", "initiatives", str(tmp_path / f"i.{fmt}"), "--dry-run", url=url).stdout
        assert f"sin cambios: {n}" in out and "nuevas: 0" in out and "rechazadas: 0" in out
    out = run_sit("export", "initiatives", str(tmp_path / "e1.csv"), "--strategy", "E1", url=url).stdout
    assert f"Iniciativas exportadas: {n}" not in out


def test_bad_file_exit_code_and_message(url, tmp_path):
    (tmp_path / "x.docx").write_text("hola")
    proc = run_sit("import", "initiatives", str(tmp_path / "x.docx"), url=url, check=False)
    assert proc.returncode == 2 and "no es una planilla" in proc.stderr
