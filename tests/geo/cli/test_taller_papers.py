"""``sit taller kit / plantilla / importar / acta / participacion`` run as a person runs them."""

import io

import pypdf
import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, text

from tests.conftest import run_sit, set_up_database


@pytest.fixture(scope="module")
def url():
    return set_up_database("cli_taller_papers")


def test_kit_template_import_acta_from_the_console(url, tmp_path):
    wid = run_sit(
        "taller", "create", "--date", "05-12-2026", "--territory", "UV 05", "--place", "Sede social", url=url
    ).stdout.strip()
    kit = tmp_path / "kit.pdf"
    said = run_sit("taller", "kit", "--workshop", wid, "--territory", "UV 05", "--out", str(kit), url=url)
    assert f"Kit del taller {wid}, hoja UV 05" in said.stdout and "2 páginas" in said.stdout
    assert len(pypdf.PdfReader(kit).pages) == 2
    template = tmp_path / "captura.xlsx"
    run_sit("taller", "plantilla", "--workshop", wid, "--territory", "UV 05", "--out", str(template), url=url)
    wb = load_workbook(template)
    ws = wb["Captura"]
    for c, v in enumerate(("C4", "Problema", "E1", "Luminarias apagadas", 4), start=1):
        ws.cell(row=2, column=c, value=v)
    for c, v in enumerate(("Q1", "Problema", "E1", "Fuera", 1), start=1):
        ws.cell(row=3, column=c, value=v)
    wb.save(template)
    errors = tmp_path / "errores.xlsx"
    preview = run_sit(
        "taller", "importar", str(template), "--workshop", wid, "--errors", str(errors), url=url, check=False
    )
    assert preview.returncode == 2
    assert (
        "RECHAZADA captura.xlsx, hoja «Captura», fila 3, columna «Celda»: la celda «Q1» no está en el mapa"
        in (preview.stdout)
    )
    assert "no se escribió nada" in preview.stdout and errors.is_file()
    refused = run_sit(
        "taller", "importar", str(template), "--workshop", wid, "--confirm", url=url, check=False
    )
    assert refused.returncode == 2 and "no se importó nada: 1 fila(s) con errores" in refused.stderr
    ws.delete_rows(3)
    wb.save(template)
    done = run_sit("taller", "importar", str(template), "--workshop", wid, "--confirm", url=url)
    assert f"Registrada 1 necesidad en el taller {wid}" in done.stdout
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(
                text("SELECT origin, text FROM need WHERE workshop_id = :w"), {"w": int(wid)}
            ).all() == [("planilla", "Luminarias apagadas")]
    finally:
        engine.dispose()
    opened = run_sit("taller", "participacion", "--workshop", wid, url=url)
    assert "/participar?codigo=" in opened.stdout
    acta = tmp_path / "acta.pdf"
    run_sit("taller", "acta", "--workshop", wid, "--out", str(acta), url=url)
    acta_text = " ".join(pypdf.PdfReader(io.BytesIO(acta.read_bytes())).pages[0].extract_text().split())
    assert f"Acta del taller {wid}" in acta_text and "Luminarias apagadas" in acta_text
    assert "UV 05 C4" in acta_text  # the acta names the same cell as the capture sheet


def test_an_unknown_workshop_is_refused_in_spanish(url, tmp_path):
    out = run_sit(
        "taller",
        "kit",
        "--workshop",
        "4242",
        "--territory",
        "UV 05",
        "--out",
        str(tmp_path / "k.pdf"),
        url=url,
        check=False,
    )
    assert out.returncode == 2 and "No existe el taller 4242" in out.stderr
