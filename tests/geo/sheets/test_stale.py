"""An older workbook never silently reverts what someone saved after it was exported.

The case reproduced in the issue: export a workbook, a colleague renames an initiative in
the app, then the older workbook is imported after changing only an amount (a funding
line in «Financiamiento»). A line changed in the app after the export is a conflict too.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from geo.errors import DataError
from geo.initiatives.form import update_initiative
from geo.initiatives.read import load_initiative
from geo.sheets.importer import apply_import, plan_import
from geo.sheets.schema import FUNDING_HEADERS
from geo.sheets.writer import export_initiatives
from geo.store.actor import Actor
from geo.store.funding import FundingLineValues, stored_lines
from geo.store.initiatives import InitiativeChange, save_initiatives

ANA, PEDRO = Actor("Ana Rojas", "prueba", role="secplac"), Actor("Pedro Soto", "prueba", role="secplac")
RENAMED, UNTOUCHED = "E1.P1.G1.01", "E1.P1.G1.02"


LINE = FundingLineValues("municipal", None, 2016, 12_500_000, "aprobado")
LINE_AUDIT = {
    "source": "municipal",
    "source_detail": None,
    "year": 2016,
    "amount_clp": 12_500_000,
    "stage": "aprobado",
}


def initiative(conn, code):
    return conn.execute(text("SELECT id, name, version FROM initiative WHERE code = :c"), {"c": code}).one()


def lines(conn, code):
    iid = initiative(conn, code).id
    return stored_lines(conn, [iid])[iid]


@pytest.fixture
def old_workbook(conn, tmp_path):
    """The export, then Pedro's rename in the app, then the workbook edited: two amounts."""
    exported = tmp_path / "iniciativas.xlsx"
    export_initiatives(conn, "xlsx", exported)
    original = initiative(conn, RENAMED).name
    data = load_initiative(conn, initiative(conn, RENAMED).id)
    update_initiative(
        conn, data["id"], replace(data["input"], name="Plaza (nombre de Pedro)"), data["version"], PEDRO
    )
    wb = load_workbook(exported)
    fs = wb["Financiamiento"]
    for code in (RENAMED, UNTOUCHED):  # a new line for each: Municipal 2016, $ 12.500.000
        fs.append(
            {
                FUNDING_HEADERS.index(h) + 1: v
                for h, v in zip(
                    FUNDING_HEADERS, (code, "Municipal", None, 2016, 12_500_000, "Aprobado"), strict=True
                )
            }
        )
    edited = tmp_path / "iniciativas_editada.xlsx"
    wb.save(edited)
    return edited, original


def test_the_preview_shows_the_conflict_with_both_values_and_who_changed_it_when(conn, old_workbook):
    path, original = old_workbook
    plan = plan_import(conn, path)
    rows = {r.code: r for r in plan.rows}
    assert plan.counts()["en conflicto"] == 1 and plan.counts()["con cambios"] == 1
    conflict = rows[RENAMED]
    assert conflict.status == "conflicto" and conflict.conflict is not None
    assert conflict.conflict.by == "Pedro Soto" and conflict.conflict.fields == ["Nombre"]
    assert (conflict.conflict.file_version, conflict.conflict.db_version) == (1, 2)
    assert "Pedro Soto la cambió el" in conflict.conflict.describe()
    shown = {c.column: (c.old, c.new, c.changed_since_export) for c in conflict.changes}
    assert shown == {
        "Nombre": ("Plaza (nombre de Pedro)", original, True),  # database value, file value
        "Financiamiento": ("(vacío)", "Municipal, 2016, $ 12.500.000, Aprobado", False),
    }
    # A row nobody touched: every changed field old -> new, nothing else.
    assert rows[UNTOUCHED].status == "cambios"
    assert [str(c) for c in rows[UNTOUCHED].changes] == [
        "Financiamiento: (vacío) → Municipal, 2016, $ 12.500.000, Aprobado"
    ]


def test_the_conflicting_row_is_not_written_unless_chosen(conn, old_workbook):
    path, original = old_workbook
    result = apply_import(conn, plan_import(conn, path), ANA)
    assert (result.updated, result.conflicts_left) == (1, [RENAMED])
    kept = initiative(conn, RENAMED)
    assert (kept.name, lines(conn, RENAMED)) == ("Plaza (nombre de Pedro)", [])  # Pedro's rename survives
    assert lines(conn, UNTOUCHED) == [LINE]
    # Only the amount was written on the other row: one audit row, one field.
    details = conn.execute(
        text(
            "SELECT details FROM audit_log WHERE table_name = 'initiative' AND row_id = :r "
            "AND action = 'editar_iniciativa'"
        ),
        {"r": str(initiative(conn, UNTOUCHED).id)},
    ).scalar_one()
    assert details["changes"] == {"funding": [[], [LINE_AUDIT]]} and details["archivo"] == path.name

    # The person looked at the conflict and chose the workbook's row.
    result = apply_import(conn, plan_import(conn, path), ANA, overwrite=[RENAMED])
    assert result.overwritten == [RENAMED]
    now = initiative(conn, RENAMED)
    assert (now.name, lines(conn, RENAMED), now.version) == (original, [LINE], 3)
    last = conn.execute(
        text(
            "SELECT user_name, details FROM audit_log "
            "WHERE table_name = 'initiative' AND row_id = :r ORDER BY id DESC"
        ),
        {"r": str(now.id)},
    ).first()
    assert last.user_name == "Ana Rojas" and last.details["sobrescrita_tras_conflicto"] is True
    assert last.details["changes"]["name"] == ["Plaza (nombre de Pedro)", original]


def test_a_change_between_the_preview_and_the_confirmation_stops_everything(conn, old_workbook):
    path, _ = old_workbook
    plan = plan_import(conn, path)
    untouched = initiative(conn, UNTOUCHED)
    save_initiatives(
        conn, PEDRO, [InitiativeChange(values={"place_note": "frente a la sede"}, id=untouched.id)]
    )
    with pytest.raises(DataError, match="cambió después de la vista previa.*Pedro Soto guardó"):
        apply_import(conn, plan, ANA)
    assert lines(conn, UNTOUCHED) == []


def test_only_rows_in_conflict_can_be_overwritten(conn, old_workbook):
    path, _ = old_workbook
    with pytest.raises(DataError, match="no hay conflicto que sobrescribir con el código E9"):
        apply_import(conn, plan_import(conn, path), ANA, overwrite=["E9"])


def test_a_line_changed_in_the_app_after_the_export_is_a_conflict_not_reverted(conn, tmp_path):
    code = UNTOUCHED
    iid = initiative(conn, code).id
    save_initiatives(conn, ANA, [InitiativeChange(funding=[LINE], id=iid)])
    exported = tmp_path / "con_lineas.xlsx"
    export_initiatives(conn, "xlsx", exported)
    # Pedro records in the app that the line was spent; the old workbook still says approved.
    spent = FundingLineValues("municipal", None, 2016, 12_500_000, "ejecutado")
    save_initiatives(conn, PEDRO, [InitiativeChange(funding=[spent], id=iid)])
    wb = load_workbook(exported)
    ws = wb["Iniciativas"]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value == code:
            ws.cell(r, 2).value = "Nombre cambiado en la planilla"
    wb.save(exported)
    plan = plan_import(conn, exported)
    row = next(r for r in plan.rows if r.code == code)
    assert row.status == "conflicto" and row.conflict is not None
    assert row.conflict.by == "Pedro Soto" and row.conflict.fields == ["Financiamiento"]
    shown = {c.column: (c.old, c.new, c.changed_since_export) for c in row.changes}
    assert shown["Financiamiento"] == (
        "Municipal, 2016, $ 12.500.000, Ejecutado",
        "Municipal, 2016, $ 12.500.000, Aprobado",
        True,
    )
    apply_import(conn, plan, ANA)
    assert lines(conn, code) == [spent]  # not silently reverted
