"""Create and edit initiatives: validation, optimistic locking, status history, audit, links.

Every write runs in one transaction: the initiative row, its status history, its links to
territories (hand-made links from a list; geometry links recomputed) and the audit log.
A save is refused when the row changed since the person opened it (the ``version`` they
saw no longer matches): :class:`ConflictError` says who saved, when and what changed, and
the caller keeps what the person typed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, Engine, text

from geo.db import transaction
from geo.demo import link_by_geometry
from geo.domain import INITIATIVE_KINDS, SCOPES, STATUSES
from geo.errors import DataError

LOCAL_TZ = ZoneInfo("America/Santiago")

#: Spanish name of every editable field, as the form shows it (used in every message).
FIELD_LABELS: dict[str, str] = {
    "code": "Código", "name": "Nombre", "kind": "Tipo", "strategy": "Estrategia",
    "plan": "Plan", "program": "Programa", "status": "Estado", "scope": "Alcance",
    "amount_clp": "Monto (CLP)", "funding_source": "Fuente de financiamiento",
    "responsible_unit": "Unidad responsable", "bip_code": "Código BIP",
    "start_year": "Año de inicio", "end_year": "Año de término", "description": "Descripción",
    "place_note": "Nota de ubicación", "geometry": "Geometría", "territories": "Territorios",
    "editor": "Su nombre",
}

#: Geometry actions of a save: keep what is stored, use a drawing, copy a territory, remove.
GEOMETRY_ACTIONS = ("keep", "drawn", "territory", "none")

# Columns written from the validated input, in order.
_COLUMNS = ("code", "name", "kind", "strategy_id", "plan_id", "program_id", "status", "scope",
            "amount_clp", "funding_source", "responsible_unit", "bip_code", "start_year",
            "end_year", "description", "place_note")
_MAX_TEXT = 4000


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
    amount_clp: int | str | None = None
    funding_source: str | None = None
    responsible_unit: str | None = None
    bip_code: str | None = None
    start_year: int | str | None = None
    end_year: int | str | None = None
    description: str | None = None
    place_note: str | None = None
    geometry_action: str = "keep"
    geometry: BaseGeometry | dict | None = None
    geometry_territory_id: int | None = None
    territories: tuple[int, ...] = ()
    status_comment: str | None = None


@dataclass(frozen=True)
class SaveResult:
    """The saved row's id and its new version (what the next save must present)."""

    id: int
    version: int


class ValidationError(DataError):
    """One or more fields are wrong; ``errors`` maps each field to its Spanish message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("No se guardó. Revise: " + " ".join(
            f"{FIELD_LABELS.get(k, k)}: {v}" for k, v in errors.items()))


class ConflictError(DataError):
    """Someone else saved the row after it was opened; nothing of theirs is overwritten."""

    def __init__(self, message: str, *, by: str | None, at: datetime | None,
                 changed: list[str], current_version: int) -> None:
        super().__init__(message)
        self.by, self.at, self.changed, self.current_version = by, at, changed, current_version


def format_datetime(value: datetime | None) -> str:
    """Local date and time as ``dd-mm-aaaa HH:MM`` (Vallenar's time zone)."""
    if value is None:
        return "fecha desconocida"
    return value.astimezone(LOCAL_TZ).strftime("%d-%m-%Y %H:%M")


def parse_amount(value: int | str | None) -> int | None:
    """Read an amount in pesos: ``$ 12.500.000``, ``12.500.000`` or ``12500000``; blank is None."""
    if value is None or isinstance(value, int):
        if isinstance(value, int) and value < 0:
            raise ValueError("no puede ser negativo.")
        return value
    raw = str(value).strip()
    if not raw:
        return None
    digits = raw.replace("$", "").replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+|\d+", digits):
        return int(digits.replace(".", ""))
    if digits.startswith("-"):
        raise ValueError("no puede ser negativo.")
    raise ValueError(f"no se entiende «{raw}»: escriba pesos enteros, p. ej. $ 12.500.000.")


def _parse_year(value: int | str | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        year = int(str(value).strip())
    except ValueError:
        raise ValueError(f"«{value}» no es un año (escriba, p. ej., 2016).") from None
    if not 1990 <= year <= 2100:
        raise ValueError(f"{year} está fuera del rango 1990-2100.")
    return year


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def drawn_geometry(value: BaseGeometry | dict | None) -> BaseGeometry:
    """A drawn GeoJSON geometry (or Feature) as shapely, in EPSG:4326; Spanish errors."""
    if value is None:
        raise ValueError("no hay nada dibujado en el mapa.")
    if isinstance(value, BaseGeometry):
        geom = value
    else:
        try:
            geom = shape(value.get("geometry", value) if isinstance(value, dict) else value)
        except Exception:  # noqa: BLE001 - any malformed GeoJSON gets the same message
            raise ValueError("el dibujo recibido no es una geometría GeoJSON válida.") from None
    if geom.is_empty:
        raise ValueError("la geometría está vacía.")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValueError("las coordenadas no son longitud/latitud (EPSG:4326).")
    if not geom.is_valid:
        raise ValueError("el polígono se cruza a sí mismo; dibújelo de nuevo sin cruces.")
    return geom


def validate(conn: Connection, inp: InitiativeInput, initiative_id: int | None = None) -> dict[str, Any]:
    """Check every field and resolve catalogue codes; return the row's bind parameters.

    Raises:
        ValidationError: with one Spanish message per wrong field.
    """
    errors: dict[str, str] = {}
    row: dict[str, Any] = {}
    code = (inp.code or "").strip()
    if not code:
        errors["code"] = "es obligatorio (texto libre elegido por el municipio, único)."
    elif len(code) > 60:
        errors["code"] = "tiene más de 60 caracteres."
    elif conn.execute(text("SELECT 1 FROM initiative WHERE code = :c AND id IS DISTINCT FROM :i"),
                      {"c": code, "i": initiative_id}).first():
        errors["code"] = f"ya existe otra iniciativa con el código «{code}»."
    row["code"] = code
    row["name"] = (inp.name or "").strip()
    if not row["name"]:
        errors["name"] = "es obligatorio."
    for key, allowed in (("kind", INITIATIVE_KINDS), ("status", STATUSES), ("scope", SCOPES)):
        value = getattr(inp, key)
        if value not in allowed:
            errors[key] = f"«{value}» no es una opción válida ({', '.join(allowed.values())})."
        row[key] = value
    strategy = conn.execute(text("SELECT id FROM strategy WHERE code = :c"),
                            {"c": inp.strategy}).scalar()
    if strategy is None:
        errors["strategy"] = ("elija una línea estratégica del catálogo." if not inp.strategy
                              else f"«{inp.strategy}» no está en el catálogo del PLADECO.")
    row["strategy_id"], row["plan_id"], row["program_id"] = strategy, None, None
    if inp.plan:
        plan = conn.execute(text("SELECT id, strategy_id FROM plan WHERE code = :c"),
                            {"c": inp.plan}).first()
        if plan is None:
            errors["plan"] = f"«{inp.plan}» no está en el catálogo del PLADECO."
        elif strategy is not None and plan.strategy_id != strategy:
            errors["plan"] = f"el plan {inp.plan} no pertenece a la estrategia {inp.strategy}."
        else:
            row["plan_id"] = plan.id
    if inp.program:
        program = conn.execute(text("SELECT id, plan_id FROM program WHERE code = :c"),
                               {"c": inp.program}).first()
        if program is None:
            errors["program"] = f"«{inp.program}» no está en el catálogo del PLADECO."
        elif not inp.plan:
            errors["program"] = "elija primero el plan al que pertenece el programa."
        elif row["plan_id"] is not None and program.plan_id != row["plan_id"]:
            errors["program"] = f"el programa {inp.program} no pertenece al plan {inp.plan}."
        else:
            row["program_id"] = program.id
    try:
        row["amount_clp"] = parse_amount(inp.amount_clp)
    except ValueError as exc:
        errors["amount_clp"] = str(exc)
    for key in ("start_year", "end_year"):
        try:
            row[key] = _parse_year(getattr(inp, key))
        except ValueError as exc:
            errors[key] = str(exc)
    if row.get("start_year") and row.get("end_year") and row["end_year"] < row["start_year"]:
        errors["end_year"] = f"{row['end_year']} es anterior al año de inicio ({row['start_year']})."
    for key in ("funding_source", "responsible_unit", "bip_code", "description", "place_note"):
        row[key] = _blank(getattr(inp, key))
        if row[key] and len(row[key]) > _MAX_TEXT:
            errors[key] = f"tiene más de {_MAX_TEXT} caracteres."
    if row["bip_code"]:
        if len(row["bip_code"]) > 30:
            errors["bip_code"] = "tiene más de 30 caracteres."
        else:
            other = conn.execute(text(
                "SELECT code FROM initiative WHERE bip_code = :b AND id IS DISTINCT FROM :i"),
                {"b": row["bip_code"], "i": initiative_id}).scalar()
            if other:
                errors["bip_code"] = f"«{row['bip_code']}» ya es el código BIP de la iniciativa {other}."
    _validate_geometry(conn, inp, row, errors)
    wanted = sorted(set(inp.territories))
    if wanted:
        found = set(conn.execute(text("SELECT id FROM territory WHERE id = ANY(:ids)"),
                                 {"ids": wanted}).scalars())
        if missing := [t for t in wanted if t not in found]:
            errors["territories"] = f"no existen los territorios {missing}."
    row["territories"] = wanted
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
            geom = drawn_geometry(inp.geometry)
        except ValueError as exc:
            errors["geometry"] = str(exc)
            return
        row["wkb"] = shapely.to_wkb(geom)
    elif action == "territory":
        found = conn.execute(text(
            "SELECT name, ST_AsBinary(geom) AS wkb FROM territory WHERE id = :t"),
            {"t": inp.geometry_territory_id}).first()
        if found is None:
            errors["geometry"] = "elija el territorio cuya geometría se usará."
            return
        if found.wkb is None:
            errors["geometry"] = f"«{found.name}» está sin ubicar: no tiene geometría que copiar."
            return
        row["wkb"] = bytes(found.wkb)
    if row["wkb"] is not None and inp.scope != "fuera_comuna" and not near_commune(conn, row["wkb"]):
        errors["geometry"] = ("queda fuera de la comuna de Vallenar; si la iniciativa se ejecuta "
                              "fuera, elija el alcance «Fuera de la comuna».")


def near_commune(conn: Connection, wkb: bytes) -> bool:
    """True when the geometry touches the commune (2 km tolerance) or no limit is loaded."""
    inside = conn.execute(text(
        """
        SELECT bool_or(ST_DWithin(c.geom::geography, ST_GeomFromWKB(:wkb, 4326)::geography, 2000))
          FROM boundary c WHERE c.kind = 'limite_comunal'
        """), {"wkb": wkb}).scalar()
    return inside is not False


def require_editor(editor: str | None) -> str:
    """Return the editor's name, or refuse the save when nobody said who they are."""
    name = (editor or "").strip()
    if not name:
        raise ValidationError({"editor": "escriba su nombre en la barra lateral antes de guardar "
                                         "(queda en el historial de cambios)."})
    return name


def ensure_user(conn: Connection, display_name: str) -> int:
    """Return the id of the app user with this name, creating a planner if needed."""
    username = re.sub(r"\s+", ".", display_name.strip().lower())[:60]
    return conn.execute(text(
        """
        INSERT INTO app_user (username, display_name, role) VALUES (:u, :d, 'planificador')
        ON CONFLICT (username) DO UPDATE SET display_name = EXCLUDED.display_name
        RETURNING id
        """), {"u": username, "d": display_name.strip()}).scalar_one()


def audit(conn: Connection, user_id: int, user_name: str, action: str, table: str, row_id: int,
          details: dict[str, Any]) -> None:
    """Append one row to the audit log."""
    conn.execute(text(
        """
        INSERT INTO audit_log (user_id, user_name, action, table_name, row_id, details)
        VALUES (:u, :n, :a, :t, :r, CAST(:d AS jsonb))
        """), {"u": user_id, "n": user_name, "a": action, "t": table, "r": str(row_id),
               "d": json.dumps(details, ensure_ascii=False, default=str)})


def _record_status(conn: Connection, initiative_id: int, user_id: int, user_name: str,
                   old: str | None, new: str, comment: str | None) -> None:
    conn.execute(text(
        """
        INSERT INTO status_history (initiative_id, changed_by_id, changed_by_name, from_status,
                                    to_status, comment)
        VALUES (:i, :u, :n, :f, :t, :c)
        """), {"i": initiative_id, "u": user_id, "n": user_name, "f": old, "t": new,
               "c": _blank(comment)})


def set_hand_links(conn: Connection, initiative_id: int, territory_ids: list[int]) -> None:
    """Make the non-geometry links exactly ``territory_ids``.

    Links from a place name that stay in the list keep their origin; new ones are made by
    hand (also when the territory was linked from the geometry: the person chose it).
    """
    conn.execute(text(
        """
        DELETE FROM initiative_territory
         WHERE initiative_id = :i AND link_method IN ('manual', 'nombre_lugar')
           AND NOT (territory_id = ANY(:ids))
        """), {"i": initiative_id, "ids": territory_ids})
    for tid in territory_ids:
        conn.execute(text(
            """
            INSERT INTO initiative_territory (initiative_id, territory_id, link_method)
            VALUES (:i, :t, 'manual')
            ON CONFLICT (initiative_id, territory_id) DO UPDATE SET link_method = 'manual',
                weight = NULL
             WHERE initiative_territory.link_method = 'geometria'
            """), {"i": initiative_id, "t": tid})


def _hand_links(conn: Connection, initiative_id: int) -> list[int]:
    return list(conn.execute(text(
        """
        SELECT territory_id FROM initiative_territory
         WHERE initiative_id = :i AND link_method <> 'geometria' ORDER BY territory_id
        """), {"i": initiative_id}).scalars())


def _geom_sql(action: str) -> str:
    return {"keep": "geom", "none": "NULL"}.get(action, "ST_SetSRID(ST_GeomFromWKB(:wkb), 4326)")


def create_initiative(bind: Engine | Connection, inp: InitiativeInput, editor: str | None) -> SaveResult:
    """Insert a new initiative (source ``manual``), its first status and its links."""
    name = require_editor(editor)
    with transaction(bind) as conn:
        row = validate(conn, inp)
        user_id = ensure_user(conn, name)
        geom = "NULL" if row["geometry_action"] in ("keep", "none") else _geom_sql("drawn")
        new = conn.execute(text(
            f"""
            INSERT INTO initiative ({', '.join(_COLUMNS)}, source, geom)
            VALUES ({', '.join(':' + c for c in _COLUMNS)}, 'manual', {geom})
            RETURNING id, version
            """), row).one()
        _record_status(conn, new.id, user_id, name, None, row["status"], inp.status_comment)
        set_hand_links(conn, new.id, row["territories"])
        link_by_geometry(conn, initiative_ids=[new.id])
        audit(conn, user_id, name, "crear_iniciativa", "initiative", new.id,
              {"version": new.version, "code": row["code"]})
    return SaveResult(new.id, new.version)


def update_initiative(bind: Engine | Connection, initiative_id: int, inp: InitiativeInput,
                      expected_version: int, editor: str | None) -> SaveResult:
    """Save an edit made on ``expected_version``; refuse it if the row changed since.

    Raises:
        ValidationError: a field is wrong (nothing written).
        ConflictError: someone else saved after ``expected_version`` (nothing written).
    """
    name = require_editor(editor)
    with transaction(bind) as conn:
        current = conn.execute(text(
            f"""
            SELECT {', '.join(_COLUMNS)}, version, ST_AsBinary(geom) AS wkb
              FROM initiative WHERE id = :i FOR UPDATE
            """), {"i": initiative_id}).mappings().first()
        if current is None:
            raise DataError("La iniciativa ya no existe: otra persona la eliminó.")
        if current["version"] != expected_version:
            raise conflict_error(conn, initiative_id, expected_version, current["version"])
        row = validate(conn, inp, initiative_id)
        user_id = ensure_user(conn, name)
        updated = conn.execute(text(
            f"""
            UPDATE initiative SET {', '.join(f'{c} = :{c}' for c in _COLUMNS)},
                   geom = {_geom_sql(row['geometry_action'])}, version = version + 1
             WHERE id = :id AND version = :expected
            RETURNING version, ST_AsBinary(geom) AS wkb
            """), {**row, "id": initiative_id, "expected": expected_version}).first()
        if updated is None:  # cannot happen under FOR UPDATE; kept as the lock's last word
            raise conflict_error(conn, initiative_id, expected_version, expected_version + 1)
        changes = {c: [current[c], row[c]] for c in _COLUMNS if current[c] != row[c]}
        if _wkb(current["wkb"]) != _wkb(updated.wkb):
            changes["geometry"] = [_geom_type(current["wkb"]), _geom_type(updated.wkb)]
        before_links = _hand_links(conn, initiative_id)
        set_hand_links(conn, initiative_id, row["territories"])
        if before_links != row["territories"]:
            changes["territories"] = [before_links, row["territories"]]
        if current["status"] != row["status"]:
            _record_status(conn, initiative_id, user_id, name, current["status"], row["status"],
                           inp.status_comment)
        link_by_geometry(conn, initiative_ids=[initiative_id])
        audit(conn, user_id, name, "editar_iniciativa", "initiative", initiative_id,
              {"version": updated.version, "changes": changes})
    return SaveResult(initiative_id, updated.version)


def _wkb(value: Any) -> bytes | None:
    return bytes(value) if value is not None else None


def _geom_type(value: Any) -> str | None:
    return shapely.from_wkb(bytes(value)).geom_type if value is not None else None


def conflict_error(conn: Connection, row_id: int, expected: int, current: int,
                   table: str = "initiative", what: str = "esta iniciativa") -> ConflictError:
    """The Spanish conflict message: who saved after ``expected``, when, and which fields."""
    saves = conn.execute(text(
        """
        SELECT user_name, at, details FROM audit_log
         WHERE table_name = :t AND row_id = :r AND (details->>'version')::int > :v
         ORDER BY at
        """), {"t": table, "r": str(row_id), "v": expected}).mappings().all()
    if saves:
        by = ", ".join(dict.fromkeys(s["user_name"] or "otra persona" for s in saves))
        at = saves[-1]["at"]
        changed = list(dict.fromkeys(
            FIELD_LABELS.get(k, k) for s in saves for k in (s["details"].get("changes") or {})))
    else:  # written by an import or a command: no person recorded
        by = None
        at = conn.execute(text(f"SELECT updated_at FROM {table} WHERE id = :i"), {"i": row_id}).scalar()
        changed = []
    who = by or "otra persona o un proceso de importación"
    what_changed = f" Cambió: {', '.join(changed)}." if changed else ""
    message = (f"No se guardó: {who} guardó {what} el {format_datetime(at)}, mientras usted "
               f"editaba (versión {expected} → {current}).{what_changed} Sus cambios siguen en el "
               "formulario y no se perdió nada de lo que la otra persona guardó: compare, cargue "
               "la versión actual y vuelva a aplicar sus cambios.")
    return ConflictError(message, by=by, at=at, changed=changed, current_version=current)
