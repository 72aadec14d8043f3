"""Writes of the PLADECO's evaluation (issue 13): evaluation cuts and entered physical progress.

``evaluation_cut`` and its ``cut_*`` rows change only here. Every function checks the role
first (``evaluation``: administrador and secplac; an initiative's progress: ``initiatives``),
locks the row, checks the version the person saw, bumps ``version`` and records one audit
row, all in one transaction.

Closing a cut freezes, in that one transaction, every initiative as :func:`live_states`
reads it (demo initiatives only when the cut was created to include them): its codes and
name, status, effective progress and where it came from, archived and demo flags, funding
lines and territories with their weights. Then the cut is marked closed, and from then on
the database refuses any change to it or its rows (trigger ``sit_cut_frozen``, migration 0008).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, text

from geo.db import transaction
from geo.errors import DataError, ValidationError
from geo.evaluation.snapshot import InitiativeState, live_states
from geo.store.actor import Actor
from geo.store.audit import Entry, conflict_error, record
from geo.store.bulk import rows_table
from geo.store.initiatives import InitiativeChange, save_initiatives
from geo.store.permissions import require
from geo.values import ValueProblem, parse_date, parse_percent, parse_text

log = logging.getLogger(__name__)

NOTE_MAX = 2000
CUT_LABELS = {"cut_date": "Fecha de corte", "note": "Nota", "progress_pct": "Avance físico (%)"}


def _locked_cut(conn: Connection, cut_id: int) -> Any:
    row = (
        conn.execute(text("SELECT * FROM evaluation_cut WHERE id = :i FOR UPDATE"), {"i": cut_id})
        .mappings()
        .first()
    )
    if row is None:
        raise DataError(f"El corte de evaluación n.º {cut_id} no existe.")
    return row


def create_cut(
    bind: Engine | Connection,
    actor: Actor,
    cut_date: date | str | None,
    note: str | None = None,
    *,
    with_demo: bool = False,
) -> int:
    """Create a cut (borrador) at ``cut_date``; return its id. ``with_demo``: freeze demo data too."""
    require(actor, "evaluation")
    problems = {}
    try:
        day = parse_date(cut_date)
        if day is None:
            problems["cut_date"] = "falta la fecha de corte"
    except ValueProblem as exc:
        problems["cut_date"] = str(exc)
    try:
        typed_note = parse_text(note, NOTE_MAX)
    except ValueProblem as exc:
        problems["note"] = str(exc)
    if problems:
        raise ValidationError(problems, CUT_LABELS)
    with transaction(bind) as conn:
        new_id = conn.execute(
            text("INSERT INTO evaluation_cut (cut_date, note, with_demo) VALUES (:d, :n, :w) RETURNING id"),
            {"d": day, "n": typed_note, "w": with_demo},
        ).scalar_one()
        changes = {"cut_date": [None, day], "note": [None, typed_note], "with_demo": [None, with_demo]}
        record(
            conn, actor, [Entry("crear_corte", "evaluation_cut", new_id, {"version": 1, "changes": changes})]
        )
    log.info("evaluation cut %s created by %s", new_id, actor.describe())
    return int(new_id)


def _frozen_rows(states: list[InitiativeState]) -> tuple[list[dict], list[dict], list[dict]]:
    initiatives = [
        {
            "initiative_id": s.id,
            "code": s.code,
            "name": s.name,
            "kind": s.kind,
            "scope": s.scope,
            "strategy_code": s.strategy,
            "plan_code": s.plan,
            "program_code": s.program,
            "status": s.status,
            "progress_pct": s.progress_pct,
            "progress_source": s.progress_source,
            "archived": s.archived,
            "is_demo": s.is_demo,
        }
        for s in states
    ]
    lines = [
        {
            "initiative_id": s.id,
            "source": ln.source,
            "source_detail": ln.source_detail,
            "year": ln.year,
            "amount_clp": ln.amount_clp,
            "stage": ln.stage,
        }
        for s in states
        for ln in s.lines
    ]
    territories = [
        {"initiative_id": s.id, "territory_id": tid, "weight": weight}
        for s in states
        for tid, weight in s.territories
    ]
    return initiatives, lines, territories


_COLUMNS = {
    "cut_initiative": {
        "initiative_id": "int",
        "code": "text",
        "name": "text",
        "kind": "text",
        "scope": "text",
        "strategy_code": "text",
        "plan_code": "text",
        "program_code": "text",
        "status": "text",
        "progress_pct": "smallint",
        "progress_source": "text",
        "archived": "boolean",
        "is_demo": "boolean",
    },
    "cut_funding_line": {
        "initiative_id": "int",
        "source": "text",
        "source_detail": "text",
        "year": "smallint",
        "amount_clp": "bigint",
        "stage": "text",
    },
    "cut_territory": {"initiative_id": "int", "territory_id": "int", "weight": "numeric"},
}


def close_cut(
    bind: Engine | Connection, actor: Actor, cut_id: int, expected_version: int | None = None
) -> int:
    """Freeze the live data into the cut and close it for good; return the number of initiatives frozen."""
    require(actor, "evaluation")
    with transaction(bind) as conn:
        row = _locked_cut(conn, cut_id)
        if expected_version is not None and row["version"] != expected_version:
            raise conflict_error(
                conn, "evaluation_cut", cut_id, expected_version, row["version"], f"el corte n.º {cut_id}"
            )
        if row["state"] == "cerrada":
            raise DataError(f"El corte de evaluación n.º {cut_id} ya está cerrado: no cambia.")
        states = live_states(conn, with_demo=row["with_demo"])
        for table, rows in zip(_COLUMNS, _frozen_rows(states), strict=True):
            if not rows:
                continue
            columns = _COLUMNS[table]
            source, params = rows_table(columns, rows)
            names = ", ".join(columns)
            conn.execute(
                text(
                    f"INSERT INTO {table} (cut_id, {names}) SELECT :cut, {names} FROM {source} ORDER BY v.ord"
                ),
                {**params, "cut": cut_id},
            )
        version = conn.execute(
            text(
                "UPDATE evaluation_cut SET state = 'cerrada', closed_by = :by, closed_at = now(), "
                "version = version + 1 WHERE id = :i RETURNING version"
            ),
            {"by": actor.name, "i": cut_id},
        ).scalar_one()
        details = {
            "version": version,
            "changes": {"state": ["borrador", "cerrada"]},
            "initiatives": len(states),
        }
        record(conn, actor, [Entry("cerrar_corte", "evaluation_cut", cut_id, details)])
    log.info("evaluation cut %s closed by %s: %d initiatives frozen", cut_id, actor.describe(), len(states))
    return len(states)


def set_progress(
    bind: Engine | Connection,
    actor: Actor,
    initiative_id: int,
    progress_pct: int | str | None,
    expected_version: int,
) -> int:
    """Enter (or clear, with None) an initiative's physical progress (0-100 %); return its version.

    Written by :func:`geo.store.initiatives.save_initiatives`, as every change of an
    initiative: the role, the version the person saw, the audit row.
    """
    require(actor, "initiatives")
    try:
        pct = parse_percent(progress_pct)
    except ValueProblem as exc:
        raise ValidationError({"progress_pct": str(exc)}, CUT_LABELS) from None
    change = InitiativeChange({"progress_pct": pct}, id=initiative_id, expected_version=expected_version)
    (saved,) = save_initiatives(bind, actor, [change])
    return saved.version
