"""The console as an admin uses it: a stale workbook, archiving, histories, recorded under the OS user."""

import getpass
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, text

from geo.store.actor import Actor
from geo.store.initiatives import InitiativeChange, save_initiatives
from tests.conftest import run_sit, set_up_database

CODE = "E1.P1.G1.01"


@pytest.fixture(scope="module")
def url():
    return set_up_database("cli_initiatives")


@pytest.fixture(scope="module")
def engine(url):
    eng = create_engine(url)
    yield eng
    eng.dispose()


def name_and_amount(engine):
    """The name and the total of the funding lines (None: no amount informed)."""
    with engine.connect() as conn:
        return tuple(
            conn.execute(
                text(
                    "SELECT name, (SELECT sum(amount_clp) FROM funding_line f WHERE f.initiative_id = i.id) "
                    "FROM initiative i WHERE code = :c"
                ),
                {"c": CODE},
            ).one()
        )


def test_an_old_workbook_is_stopped_shown_and_overwritten_only_when_asked(url, engine, tmp_path):
    old = tmp_path / "iniciativas.xlsx"
    run_sit("export", "initiatives", str(old), url=url)
    original = name_and_amount(engine)[0]
    # A colleague renames the initiative in the app after the export.
    with engine.begin() as conn:
        iid = conn.execute(text("SELECT id FROM initiative WHERE code = :c"), {"c": CODE}).scalar_one()
        save_initiatives(
            conn,
            Actor("Pedro Soto", "página Iniciativas", role="secplac"),
            [InitiativeChange(values={"name": "Plaza (nombre de Pedro)"}, id=iid)],
        )
    # The old workbook, with only an amount added (a funding line).
    wb = load_workbook(old)
    ws = wb["Iniciativas"]
    r = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == CODE)
    wb["Financiamiento"].append([CODE, "FNDR", None, 2016, "$ 12.500.000", "Aprobado"])
    wb.save(old)

    out = run_sit("import", "initiatives", str(old), "--dry-run", url=url).stdout
    assert "en conflicto: 1" in out and "con cambios: 0" in out
    assert f"fila {r} · {CODE}: Pedro Soto la cambió el" in out
    shown = f"Nombre: en la base «Plaza (nombre de Pedro)», en el archivo «{original}»"
    assert f"{shown} (cambiado después de exportar)" in out
    assert "Financiamiento: en la base «(vacío)», en el archivo «FNDR, 2016, $ 12.500.000, Aprobado»" in out
    assert "reemplaza todas las líneas de financiamiento" in out

    out = run_sit("import", "initiatives", str(old), url=url).stdout
    assert f"No se escribieron (en conflicto): {CODE}" in out
    assert name_and_amount(engine) == ("Plaza (nombre de Pedro)", None)

    bad = run_sit("import", "initiatives", str(old), "--overwrite", "E9.NO", url=url, check=False)
    assert bad.returncode == 2 and "no hay conflicto que sobrescribir con el código E9.NO" in bad.stderr

    out = run_sit("import", "initiatives", str(old), "--overwrite", CODE, url=url).stdout
    assert f"Sobrescritas tras conflicto: {CODE}" in out
    assert name_and_amount(engine) == (original, 12_500_000)

    history = run_sit("initiative", "history", CODE, url=url).stdout
    me = getpass.getuser()
    assert f"Editada por {me} (consola: sit import)" in history
    assert f"Nombre: Plaza (nombre de Pedro) → {original}" in history
    assert "Financiamiento: (vacío) → FNDR, 2016, $ 12.500.000, Aprobado" in history
    assert "Editada por Pedro Soto (nombre escrito, sin cuenta) (página Iniciativas)" in history


def test_archive_leaves_counts_and_exports_and_restore_brings_it_back(url, tmp_path):
    def stats():
        return json.loads(run_sit("stats", "--json", url=url).stdout)["initiatives"]

    before = stats()
    out = run_sit("initiative", "archive", "E1.P1.G1.02", "--reason", "Duplicada", url=url).stdout
    assert "Iniciativa E1.P1.G1.02 archivada" in out
    assert (stats()["total"], stats()["archived"]) == (before["total"] - 1, before["archived"] + 1)
    run_sit("export", "initiatives", str(tmp_path / "sin.csv"), url=url)
    run_sit("export", "initiatives", str(tmp_path / "con.csv"), "--archived", url=url)
    assert "E1.P1.G1.02;" not in (tmp_path / "sin.csv").read_text(encoding="utf-8-sig")
    assert "E1.P1.G1.02;" in (tmp_path / "con.csv").read_text(encoding="utf-8-sig")
    again = run_sit("initiative", "archive", "E1.P1.G1.02", url=url, check=False)
    assert again.returncode == 2 and "ya está archivada" in again.stderr
    run_sit("initiative", "restore", "E1.P1.G1.02", url=url)
    assert stats() == before
    history = run_sit("initiative", "history", "E1.P1.G1.02", url=url).stdout
    assert "Restaurada por" in history and "Archivada por" in history and "Motivo: Duplicada" in history
