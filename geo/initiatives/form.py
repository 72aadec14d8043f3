"""Validation of the initiative form: every field checked, with a Spanish message naming it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, text

from geo.domain import INITIATIVE_KINDS, SCOPES, STATUSES
from geo.errors import DataError

GEOMETRY_ACTIONS = ("keep", "drawn", "territory", "none")
"""Geometry actions of a save: keep what is stored, use a drawing, copy a territory, remove."""

_MAX_TEXT = 4000
MAX_AMOUNT = 10**13
"""Ten trillion pesos: far above any municipal budget, so a larger amount is a typing slip."""

#: Spanish name of every editable field, as the form shows it (used in every message).
FIELD_LABELS: dict[str, str] = {
    "code": "Código",
    "name": "Nombre",
    "kind": "Tipo",
    "strategy": "Estrategia",
    "plan": "Plan",
    "program": "Programa",
    "status": "Estado",
    "scope": "Alcance",
    "amount_clp": "Monto (CLP)",
    "funding_source": "Fuente de financiamiento",
    "responsible_unit": "Unidad responsable",
    "bip_code": "Código BIP",
    "start_year": "Año de inicio",
    "end_year": "Año de término",
    "description": "Descripción",
    "place_note": "Nota de ubicación",
    "geometry": "Geometría",
    "territories": "Territorios",
    "editor": "Su nombre",
}


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


class ValidationError(DataError):
    """One or more fields are wrong; ``errors`` maps each field to its Spanish message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__(
            "No se guardó. Revise: " + " ".join(f"{FIELD_LABELS.get(k, k)}: {v}" for k, v in errors.items())
        )


def parse_amount(value: int | str | None) -> int | None:
    """Read an amount in pesos: ``$ 12.500.000``, ``12.500.000`` or ``12500000``; blank is None."""
    if value is None or isinstance(value, int):
        if isinstance(value, int) and not 0 <= value <= MAX_AMOUNT:
            raise ValueError("debe estar entre $ 0 y $ 10.000.000.000.000.")
        return value
    raw = str(value).strip()
    if not raw:
        return None
    digits = raw.replace("$", "").replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+|\d+", digits):
        amount = int(digits.replace(".", ""))
        if amount > MAX_AMOUNT:
            raise ValueError(f"«{raw}» supera $ 10.000.000.000.000: revise los dígitos.")
        return amount
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


def blank(value: str | None) -> str | None:
    """Strip text; empty text is None."""
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
    elif conn.execute(
        text("SELECT 1 FROM initiative WHERE code = :c AND id IS DISTINCT FROM :i"),
        {"c": code, "i": initiative_id},
    ).first():
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
        row[key] = blank(getattr(inp, key))
        if row[key] and len(row[key]) > _MAX_TEXT:
            errors[key] = f"tiene más de {_MAX_TEXT} caracteres."
    if row["bip_code"]:
        if len(row["bip_code"]) > 30:
            errors["bip_code"] = "tiene más de 30 caracteres."
        else:
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


def near_commune(conn: Connection, wkb: bytes) -> bool:
    """True when the geometry touches the commune (2 km tolerance) or no limit is loaded."""
    inside = conn.execute(
        text(
            """
        SELECT bool_or(ST_DWithin(c.geom::geography, ST_GeomFromWKB(:wkb, 4326)::geography, 2000))
          FROM boundary c WHERE c.kind = 'limite_comunal'
        """
        ),
        {"wkb": wkb},
    ).scalar()
    return inside is not False
