"""How the activity log names things: actions, object kinds, fields and their values, in Spanish.

A password or its hash never reaches the audit log (a change is recorded as "cambiada"); a
field or detail whose name says it holds one is shown as "cambiada" all the same, so no
mistake upstream can put one on a screen or in a download.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from geo.domain import (
    BIP_STAGES,
    INITIATIVE_KINDS,
    NEED_FIELD_LABELS,
    REFERENCE_LAYERS,
    ROLES,
    SCOPES,
    TECHNICAL_RESULTS,
    TERRITORY_KINDS,
    WORKSHOP_FIELD_LABELS,
    field_label,
    format_clp,
    format_datetime,
    format_int,
    status_label,
)
from geo.investment.labels import line_label

log = logging.getLogger(__name__)

#: Kinds of object an audit row is about (the "Objeto" filter), in Spanish.
OBJECT_KINDS: dict[str, str] = {
    "initiative": "Iniciativa",
    "territory": "Territorio o sitio",
    "population": "Cifra de población",
    "app_user": "Cuenta",
    "reference_feature": "Elemento de una capa de referencia",
    "file": "Planilla, capa o copia de seguridad",
    "workshop": "Taller participativo",
    "need": "Necesidad de un taller",
    "evaluation_cut": "Corte de evaluación del PLADECO",
}

#: Spanish name of every action the write path records.
ACTIONS: dict[str, str] = {
    "crear_iniciativa": "Crear iniciativa",
    "editar_iniciativa": "Editar iniciativa",
    "archivar_iniciativa": "Archivar iniciativa",
    "restaurar_iniciativa": "Restaurar iniciativa",
    "eliminar_iniciativa": "Eliminar iniciativa",
    "crear_territorio": "Crear territorio",
    "editar_territorio": "Editar territorio",
    "eliminar_territorio": "Eliminar territorio",
    "ubicar_sitio": "Ubicar sitio",
    "reubicar_sitio": "Reubicar sitio",
    "quitar_ubicacion_sitio": "Devolver sitio a «sin ubicar»",
    "cifra_poblacion": "Cifra oficial de población",
    "quitar_cifra_poblacion": "Quitar cifra oficial de población",
    "importar_planilla": "Importar planilla",
    "importar_capa": "Importar capa oficial",
    "copia_de_seguridad": "Copia de seguridad",
    "restaurar_copia": "Restaurar copia de seguridad",
    "crear_referencia": "Crear elemento de referencia",
    "editar_referencia": "Editar elemento de referencia",
    "eliminar_referencia": "Eliminar elemento de referencia",
    "crear_usuario": "Crear cuenta",
    "activar_usuario": "Activar cuenta",
    "desactivar_usuario": "Desactivar cuenta",
    "cambiar_contrasena": "Cambiar su contraseña",
    "restablecer_contrasena": "Restablecer contraseña",
    "inicio_sesion": "Inicio de sesión",
    "inicio_sesion_fallido": "Inicio de sesión fallido",
    "cuenta_bloqueada": "Cuenta bloqueada",
    "crear_taller": "Crear taller",
    "editar_taller": "Editar taller",
    "cerrar_taller": "Cerrar taller",
    "registrar_necesidad": "Registrar necesidad",
    "editar_necesidad": "Editar necesidad",
    "mover_necesidad": "Mover necesidad",
    "fusionar_necesidad": "Fusionar necesidad en otra",
    "recibir_fusion": "Recibir una necesidad fusionada",
    "vincular_necesidad": "Vincular necesidad con iniciativas",
    "abrir_participacion": "Abrir la participación por teléfono",
    "cerrar_participacion": "Cerrar la participación por teléfono",
    "aceptar_necesidad": "Aceptar necesidad enviada por teléfono",
    "rechazar_necesidad": "Rechazar necesidad enviada por teléfono",
    "crear_corte": "Crear corte de evaluación",
    "cerrar_corte": "Cerrar corte de evaluación",
}

#: Spanish labels of the fields of territories, population figures and accounts
#: (an initiative's fields are :data:`geo.domain.FIELD_LABELS`).
_OTHER_LABELS: dict[str, dict[str, str]] = {
    "territory": {"name": "Nombre", "kind": "Tipo", "attrs": "Atributos"},
    "reference_feature": {"name": "Nombre", "key": "Clave", "layer": "Capa", "attrs": "Atributos"},
    "population": {
        "population": "Población",
        "population_source": "Fuente de la población",
        "population_ages": "Población por edad",
    },
    "workshop": WORKSHOP_FIELD_LABELS,
    "need": {**NEED_FIELD_LABELS, "strategy": "Estrategia", "merged": "Necesidad fusionada en esta"},
    "app_user": {
        "username": "Usuario",
        "full_name": "Nombre completo",
        "role": "Rol",
        "unit": "Unidad",
        "active": "Activa",
    },
}

#: What a password (or anything that holds one) is shown as, whatever was stored.
PASSWORD_SHOWN = "cambiada"
_SECRET_MARKS = ("password", "contrasena", "contraseña", "hash")

#: Fields that name a person (an account's), withheld from the public, and what is shown instead.
PERSON_FIELDS = frozenset({"username", "full_name"})
WITHHELD = "(reservado)"

#: Details of an audit row shown as notes, with their Spanish label.
_NOTES = {
    "motivo": "Motivo",
    "archivo": "Archivo",
    "file": "Archivo",
    "fila": "Fila",
    "layer": "Capa",
    "source": "Fuente",
    "hasta": "Bloqueada hasta",
    "sobrescrita_tras_conflicto": "Sobrescrita tras un conflicto",
    "rehash": "Contraseña guardada con los parámetros actuales",
    "origen": "Ubicado según",
    "cuenta_no_restaurada": "Cuenta que no estaba en la copia (n.º)",
}


def label(field: str, kind: str | None = None) -> str:
    """The Spanish label of a changed field of an object of ``kind``."""
    other = _OTHER_LABELS.get(kind or "", {})
    return other.get(field) or field_label(field)


def is_secret(field: str) -> bool:
    """Whether a field's name says it holds a password or a hash (never shown)."""
    return any(mark in field.lower() for mark in _SECRET_MARKS)


def shown_value(field: str, value: Any, kind: str | None = "initiative", show_names: bool = True) -> str:
    """A before or after value of a changed field, as a person reads it.

    With ``show_names`` False (the public) an account's name and username are withheld.
    """
    if is_secret(field):
        return PASSWORD_SHOWN
    if not show_names and field in PERSON_FIELDS and value not in (None, ""):
        return WITHHELD
    if value is None or value == "" or value == [] or value == {}:
        return "(vacío)"
    if field == "amount_clp":
        return format_clp(value)
    if field == "funding" and isinstance(value, list):
        return "; ".join(_funding_line(v) for v in value)
    if field == "bip_stage":
        return BIP_STAGES.get(value, str(value))
    if field == "technical_result":
        return TECHNICAL_RESULTS.get(value, str(value))
    if field == "status":
        return status_label(value)
    if field == "kind":
        kinds = TERRITORY_KINDS if kind in ("territory", "population") else INITIATIVE_KINDS
        return kinds.get(value, value)
    if field == "scope":
        return SCOPES.get(value, value)
    if field == "role":
        return ROLES.get(value, value)
    if field == "layer" and kind == "reference_feature":
        return REFERENCE_LAYERS.get(value, value)
    if isinstance(value, bool):
        return "sí" if value else "no"
    if field == "population" and isinstance(value, int):
        return format_int(value)
    if field == "geometry":
        return _geometry(value)
    if field == "hasta" and isinstance(value, str):
        try:
            return format_datetime(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items() if not is_secret(str(k)))
    return str(value)


def _funding_line(value: Any) -> str:
    """One funding line of an initiative's ``funding`` change (see geo.store.funding)."""
    if not isinstance(value, dict):
        return str(value)
    return line_label(
        value.get("source"),
        value.get("source_detail"),
        value.get("year"),
        value.get("amount_clp"),
        value.get("stage"),
    )


def _geometry(value: Any) -> str:
    try:
        kind = (json.loads(value) if isinstance(value, str) else value)["type"]
    except (ValueError, TypeError, KeyError):
        # Some writers record a summary instead of the GeoJSON ("Point, 1 vértices").
        return value if isinstance(value, str) else "geometría"
    return {"Point": "punto", "LineString": "línea", "Polygon": "polígono"}.get(kind, str(kind).lower())


def notes(details: dict[str, Any]) -> list[str]:
    """The details of an audit row worth reading besides its changes (a reason, a file, a row)."""
    out = [
        f"{name}: {shown_value(key, details[key], None)}"
        for key, name in _NOTES.items()
        if details.get(key) not in (None, "", [], {})
    ]
    if any(is_secret(k) for k in details):
        out.append(f"Contraseña: {PASSWORD_SHOWN}")
    return out
