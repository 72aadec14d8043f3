"""The initiative form: every field checked with a Spanish message naming it, then saved.

Values are read with the same parsers as the spreadsheet import (:mod:`geo.values`);
:func:`create_initiative` and :func:`update_initiative` save through the one write path
(:mod:`geo.store.initiatives`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, Engine, text

from geo.db import transaction
from geo.domain import BIP_STAGES, INITIATIVE_KINDS, SCOPES, STATUSES, TECHNICAL_RESULTS
from geo.errors import ValidationError
from geo.initiatives.funding import FundingLineInput, read_lines
from geo.store.actor import Actor
from geo.store.initiatives import COLUMNS, InitiativeChange, SaveResult, save_initiatives
from geo.territory.queries import near_commune
from geo.values import ValueProblem, parse_drawn_geometry, parse_text, parse_year, text_limit

log = logging.getLogger(__name__)

GEOMETRY_ACTIONS = ("keep", "drawn", "territory", "none")
"""Geometry actions of a save: keep what is stored, use a drawing, copy a territory, remove."""


@dataclass
class InitiativeInput:
    """What a person typed in the initiative form (catalogue items by code)."""

    code: str = ""
    name: str = ""
    kind: str = "proyecto"
    strategy: str = ""
    plan: str | None = None
    program: str | None = None
    status: str = "sin_informacion"
    scope: str = "localizada"
    responsible_unit: str | None = None
    bip_code: str | None = None
    bip_stage: str | None = None
    technical_result: str | None = None
    start_year: int | str | None = None
    end_year: int | str | None = None
    description: str | None = None
    place_note: str | None = None
    geometry_action: str = "keep"
    geometry: BaseGeometry | dict | None = None
    geometry_territory_id: int | None = None
    territories: tuple[int, ...] = ()
    status_comment: str | None = None
    #: The initiative's funding lines as typed (all of them); None leaves the stored ones.
    funding: tuple[FundingLineInput, ...] | None = None


def validate(conn: Connection, inp: InitiativeInput, initiative_id: int | None = None) -> dict[str, Any]:
    """Check every field and resolve catalogue codes; return the row's bind parameters.

    Raises:
        ValidationError: with one Spanish message per wrong field.
    """
    errors: dict[str, str] = {}
    row: dict[str, Any] = {}
    try:
        code = parse_text(inp.code, text_limit("code")) or ""
    except ValueProblem as exc:
        code = ""
        errors["code"] = str(exc)
    if not code and "code" not in errors:
        errors["code"] = "es obligatorio (texto libre elegido por el municipio, único)."
    elif (
        code
        and conn.execute(
            text("SELECT 1 FROM initiative WHERE code = :c AND id IS DISTINCT FROM :i"),
            {"c": code, "i": initiative_id},
        ).first()
    ):
        errors["code"] = f"ya existe otra iniciativa con el código «{code}»."
    row["code"] = code
    try:
        row["name"] = parse_text(inp.name, text_limit("name")) or ""
    except ValueProblem as exc:
        row["name"] = ""
        errors["name"] = str(exc)
    if not row["name"] and "name" not in errors:
        errors["name"] = "es obligatorio."
    for key, allowed in (("kind", INITIATIVE_KINDS), ("status", STATUSES), ("scope", SCOPES)):
        value = getattr(inp, key)
        if value not in allowed:
            errors[key] = f"«{value}» no es una opción válida ({', '.join(allowed.values())})."
        row[key] = value
    strategy = conn.execute(text("SELECT id FROM strategy WHERE code = :c"), {"c": inp.strategy}).scalar()
    if strategy is None:
        errors["strategy"] = (
            "elija una línea estratégica del catálogo."
            if not inp.strategy
            else f"«{inp.strategy}» no está en el catálogo del PLADECO."
        )
    row["strategy_id"], row["plan_id"], row["program_id"] = strategy, None, None
    if inp.plan:
        plan = conn.execute(text("SELECT id, strategy_id FROM plan WHERE code = :c"), {"c": inp.plan}).first()
        if plan is None:
            errors["plan"] = f"«{inp.plan}» no está en el catálogo del PLADECO."
        elif strategy is not None and plan.strategy_id != strategy:
            errors["plan"] = f"el plan {inp.plan} no pertenece a la estrategia {inp.strategy}."
        else:
            row["plan_id"] = plan.id
    if inp.program:
        program = conn.execute(
            text("SELECT id, plan_id FROM program WHERE code = :c"), {"c": inp.program}
        ).first()
        if program is None:
            errors["program"] = f"«{inp.program}» no está en el catálogo del PLADECO."
        elif not inp.plan:
            errors["program"] = "elija primero el plan al que pertenece el programa."
        elif row["plan_id"] is not None and program.plan_id != row["plan_id"]:
            errors["program"] = f"el programa {inp.program} no pertenece al plan {inp.plan}."
        else:
            row["program_id"] = program.id
    for key, allowed in (("bip_stage", BIP_STAGES), ("technical_result", TECHNICAL_RESULTS)):
        value = getattr(inp, key) or None
        if value is not None and value not in allowed:
            errors[key] = f"«{value}» no es una opción válida ({', '.join(allowed.values())})."
        row[key] = value
    row["funding"] = None
    if inp.funding is not None:
        row["funding"], problems = read_lines(inp.funding)
        if problems:
            errors["funding"] = "; ".join(problems) + "."
    for key in ("start_year", "end_year"):
        try:
            row[key] = parse_year(getattr(inp, key))
        except ValueProblem as exc:
            errors[key] = str(exc)
    if row.get("start_year") and row.get("end_year") and row["end_year"] < row["start_year"]:
        errors["end_year"] = f"{row['end_year']} es anterior al año de inicio ({row['start_year']})."
    for key in ("responsible_unit", "bip_code", "description", "place_note"):
        try:
            row[key] = parse_text(getattr(inp, key), text_limit(key))
        except ValueProblem as exc:
            row[key] = None
            errors[key] = str(exc)
    if row["bip_code"]:
        other = conn.execute(
            text("SELECT code FROM initiative WHERE bip_code = :b AND id IS DISTINCT FROM :i"),
            {"b": row["bip_code"], "i": initiative_id},
        ).scalar()
        if other:
            errors["bip_code"] = f"«{row['bip_code']}» ya es el código BIP de la iniciativa {other}."
    _validate_geometry(conn, inp, row, errors)
    wanted = sorted(set(inp.territories))
    if wanted:
        found = set(
            conn.execute(text("SELECT id FROM territory WHERE id = ANY(:ids)"), {"ids": wanted}).scalars()
        )
        if missing := [t for t in wanted if t not in found]:
            errors["territories"] = f"no existen los territorios {missing}."
    row["territories"] = wanted
    try:
        row["status_comment"] = parse_text(inp.status_comment)
    except ValueProblem as exc:
        errors["status_comment"] = str(exc)
    if errors:
        raise ValidationError(errors)
    return row


def _validate_geometry(conn: Connection, inp: InitiativeInput, row: dict, errors: dict) -> None:
    action = inp.geometry_action
    row["geometry_action"], row["wkb"] = action, None
    if action not in GEOMETRY_ACTIONS:
        errors["geometry"] = f"acción «{action}» desconocida."
        return
    if action == "drawn":
        try:
            geom = parse_drawn_geometry(inp.geometry)
        except ValueProblem as exc:
            errors["geometry"] = str(exc)
            return
        row["wkb"] = shapely.to_wkb(geom)
    elif action == "territory":
        found = conn.execute(
            text("SELECT name, ST_AsBinary(geom) AS wkb FROM territory WHERE id = :t"),
            {"t": inp.geometry_territory_id},
        ).first()
        if found is None:
            errors["geometry"] = "elija el territorio cuya geometría se usará."
            return
        if found.wkb is None:
            errors["geometry"] = f"«{found.name}» está sin ubicar: no tiene geometría que copiar."
            return
        row["wkb"] = bytes(found.wkb)
    if row["wkb"] is not None and inp.scope != "fuera_comuna" and not near_commune(conn, row["wkb"]):
        errors["geometry"] = (
            "queda fuera de la comuna de Vallenar; si la iniciativa se ejecuta "
            "fuera, elija el alcance «Fuera de la comuna»."
        )


def _change(row: dict[str, Any], inp: InitiativeInput) -> InitiativeChange:
    action = row["geometry_action"]
    return InitiativeChange(
        values={c: row[c] for c in COLUMNS},
        geometry=row["wkb"],
        set_geometry=action != "keep",
        hand_links=row["territories"],
        funding=row["funding"],
        status_comment=row["status_comment"],
        where="esta iniciativa",
    )


def create_initiative(bind: Engine | Connection, inp: InitiativeInput, actor: Actor) -> SaveResult:
    """Validate and insert a new initiative (source ``manual``), its first status and its links.

    Raises:
        ValidationError: a field is wrong (nothing written).
    """
    with transaction(bind) as conn:
        row = validate(conn, inp)
        return save_initiatives(conn, actor, [_change(row, inp)])[0]


def update_initiative(
    bind: Engine | Connection, initiative_id: int, inp: InitiativeInput, expected_version: int, actor: Actor
) -> SaveResult:
    """Save an edit made on ``expected_version``; only changed fields are written.

    Raises:
        ValidationError: a field is wrong (nothing written).
        ConflictError: someone else saved after ``expected_version`` (nothing written).
    """
    with transaction(bind) as conn:
        row = validate(conn, inp, initiative_id)
        change = _change(row, inp)
        change.id, change.expected_version = initiative_id, expected_version
        return save_initiatives(conn, actor, [change])[0]
