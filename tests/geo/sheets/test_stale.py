"""An older workbook never silently reverts what someone saved after it was exported.

The case reproduced in the issue: export a workbook, a colleague renames an initiative in
the app, then the older workbook is imported after changing only an amount.
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
from geo.sheets.schema import HEADERS
from geo.sheets.writer import export_initiatives
from geo.store.actor import Actor
from geo.store.initiatives import InitiativeChange, save_initiatives

ANA, PEDRO = Actor("Ana Rojas", "prueba", role="secplac"), Actor("Pedro Soto", "prueba", role="secplac")
RENAMED, UNTOUCHED = "E1.P1.G1.01", "E1.P1.G1.02"


def initiative(conn, code):
    return conn.execute(
        text("SELECT id, name, amount_clp, version FROM initiative WHERE code = :c"), {"c": code}
    ).one()


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
    ws = wb["Iniciativas"]
    col_code, col_amount = HEADERS.index("Código") + 1, HEADERS.index("Monto (CLP)") + 1
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, col_code).value in (RENAMED, UNTOUCHED):
            ws.cell(r, col_amount).value = 12_500_000
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
        "Monto (CLP)": ("(vacío)", "$ 12.500.000", False),
    }
    # A row nobody touched: every changed field old -> new, nothing else.
    assert rows[UNTOUCHED].status == "cambios"
    assert [str(c) for c in rows[UNTOUCHED].changes] == ["Monto (CLP): (vacío) → $ 12.500.000"]


def test_the_conflicting_row_is_not_written_unless_chosen(conn, old_workbook):
    path, original = old_workbook
    result = apply_import(conn, plan_import(conn, path), ANA)
    assert (result.updated, result.conflicts_left) == (1, [RENAMED])
    kept = initiative(conn, RENAMED)
    assert (kept.name, kept.amount_clp) == ("Plaza (nombre de Pedro)", None)  # Pedro's rename survives
    assert initiative(conn, UNTOUCHED).amount_clp == 12_500_000
    # Only the amount was written on the other row: one audit row, one field.
    details = conn.execute(
        text(
            "SELECT details FROM audit_log WHERE table_name = 'initiative' AND row_id = :r "
            "AND action = 'editar_iniciativa'"
        ),
        {"r": str(initiative(conn, UNTOUCHED).id)},
    ).scalar_one()
    assert details["changes"] == {"amount_clp": [None, 12_500_000]} and details["archivo"] == path.name

    # The person looked at the conflict and chose the workbook's row.
    result = apply_import(conn, plan_import(conn, path), ANA, overwrite=[RENAMED])
    assert result.overwritten == [RENAMED]
    now = initiative(conn, RENAMED)
    assert (now.name, now.amount_clp, now.version) == (original, 12_500_000, 3)
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
    assert initiative(conn, UNTOUCHED).amount_clp is None


def test_only_rows_in_conflict_can_be_overwritten(conn, old_workbook):
    path, _ = old_workbook
    with pytest.raises(DataError, match="no hay conflicto que sobrescribir con el código E9"):
        apply_import(conn, plan_import(conn, path), ANA, overwrite=["E9"])
