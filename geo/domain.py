"""Domain vocabulary: the one documented list of statuses, kinds, sectors and link methods.

Codes are stored in the database; labels are what a person reads (es-CL). The CHECK
constraints of the models are generated from these lists, and a test ties them to the
constraints of the migrated database: a new code is added here and in a migration.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

#: Lifecycle of an initiative, in order. ``sin_informacion`` is what the PLADECO gives:
#: the plan states no status for its items, so nothing else is assumed.
STATUSES: dict[str, str] = {
    "sin_informacion": "Sin información",
    "idea": "Idea",
    "perfil": "Perfil",
    "diseno": "Diseño",
    "licitacion": "Licitación",
    "en_ejecucion": "En ejecución",
    "terminado": "Terminado",
    "suspendido": "Suspendido",
}

#: Kinds of tracked initiative. The catalogue tracks the plan's leaves: projects and
#: studies, plus programs (or plans) that the plan lists without any project or study.
INITIATIVE_KINDS: dict[str, str] = {
    "plan": "Plan",
    "programa": "Programa",
    "proyecto": "Proyecto",
    "estudio": "Estudio",
}

#: Where an initiative acts: everywhere in the commune, at named places, or outside it.
SCOPES: dict[str, str] = {
    "comunal": "Comunal",
    "localizada": "Localizada",
    "fuera_comuna": "Fuera de la comuna",
}

#: Kinds of territory (room for more: a new kind is a new code here and in a migration).
TERRITORY_KINDS: dict[str, str] = {
    "unidad_vecinal": "Unidad vecinal",
    "localidad": "Localidad rural",
    "sitio": "Sitio",
}

SECTORS: dict[str, str] = {"urbano": "Urbano", "rural": "Rural"}

#: Sector filter of the map: the two territorial sectors plus commune-wide initiatives.
SECTOR_FILTERS: dict[str, str] = {
    "urbano": "Urbano",
    "rural": "Rural",
    "comunal": "Comunal",
}

LINK_METHODS: dict[str, str] = {
    "geometria": "Desde la geometría",
    "nombre_lugar": "Desde un nombre de lugar",
    "manual": "A mano",
}

FACILITY_KINDS: dict[str, str] = {
    "escuela": "Establecimiento educacional",
    "salud": "Establecimiento de salud",
}

#: Reference boundaries: the commune limit (DPA) and the urban limit (INE).
BOUNDARY_KINDS: dict[str, str] = {
    "limite_comunal": "Límite comunal",
    "limite_urbano": "Límite urbano",
}

#: Census geography, from largest to smallest (INE 2017).
CENSUS_AREA_KINDS: dict[str, str] = {
    "distrito": "Distrito censal",
    "zona": "Zona censal",
    "manzana": "Manzana",
}

#: Roles of the accounts (``app_user.role``) and their labels; what each may do (issue 10):
#: administrador everything (accounts, official layers, population); secplac initiatives,
#: sites, spreadsheets and reports; facilitador workshops and needs; concejo reads.
ROLES: dict[str, str] = {
    "administrador": "Administrador(a)",
    "secplac": "SECPLAC",
    "facilitador": "Facilitador(a)",
    "concejo": "Concejo Municipal",
}

#: Funding sources of a funding line (issue 11), as Chilean public investment records them.
#: ``sectorial`` names the ministry or service in the line's ``source_detail``; so may
#: ``otro`` (and a source recorded as free text before the lines existed).
FUNDING_LINE_SOURCES: dict[str, str] = {
    "municipal": "Municipal",
    "fndr": "FNDR",
    "fril": "FRIL",
    "pmu": "PMU",
    "pmb": "PMB",
    "sectorial": "Sectorial",
    "privado": "Privado",
    "otro": "Otro",
}

#: Stage of a funding line: applied for, approved, spent.
FUNDING_STAGES: dict[str, str] = {
    "postulado": "Postulado",
    "aprobado": "Aprobado",
    "ejecutado": "Ejecutado",
}

#: Stage of an initiative in the Banco Integrado de Proyectos (BIP), optional.
BIP_STAGES: dict[str, str] = {
    "perfil": "Perfil",
    "prefactibilidad": "Prefactibilidad",
    "factibilidad": "Factibilidad",
    "diseno": "Diseño",
    "ejecucion": "Ejecución",
}

#: Technical result (RATE) of the Sistema Nacional de Inversiones, optional.
TECHNICAL_RESULTS: dict[str, str] = {
    "RS": "RS: recomendado satisfactoriamente",
    "FI": "FI: falta información",
    "OT": "OT: objetado técnicamente",
    "IN": "IN: incumplimiento de normativa",
    "RE": "RE: reevaluación",
}

NO_INFO = "Sin información"

#: Spanish name of every field of an initiative, in the form's order (messages, history,
#: previews and conflicts all name fields with these labels).
FIELD_LABELS: dict[str, str] = {
    "code": "Código",
    "name": "Nombre",
    "kind": "Tipo",
    "strategy": "Estrategia",
    "plan": "Plan",
    "program": "Programa",
    "status": "Estado",
    "scope": "Alcance",
    "funding": "Financiamiento",
    "responsible_unit": "Unidad responsable",
    "bip_code": "Código BIP",
    "bip_stage": "Etapa BIP",
    "technical_result": "Resultado técnico",
    "start_year": "Año de inicio",
    "end_year": "Año de término",
    "description": "Descripción",
    "place_note": "Nota de ubicación",
    "geometry": "Geometría",
    "territories": "Territorios",
    "places": "Ubicación",
    "archived": "Archivada",
    "status_comment": "Comentario del cambio de estado",
    "reason": "Motivo",
    # The single amount and source an initiative had before its funding lines (issue 11):
    # only old audit rows name them.
    "amount_clp": "Monto (CLP)",
    "funding_source": "Fuente de financiamiento",
}

#: Database column of an initiative -> the field key of :data:`FIELD_LABELS`.
COLUMN_FIELDS: dict[str, str] = {"strategy_id": "strategy", "plan_id": "plan", "program_id": "program"}


def field_label(column: str) -> str:
    """The Spanish label of an initiative column or field (``strategy_id`` -> ``Estrategia``)."""
    key = COLUMN_FIELDS.get(column, column)
    return FIELD_LABELS.get(key, key)


def format_clp(amount: int | float | Decimal | None) -> str:
    """Format an amount in Chilean pesos: ``$ 12.500.000``; ``Sin información`` when unknown."""
    if amount is None or amount != amount:  # None or NaN (pandas' missing value)
        return NO_INFO
    value = int(round(float(amount)))
    sign = "-" if value < 0 else ""
    return f"{sign}$ {abs(value):,}".replace(",", ".")


def format_clp_millions(amount: int | float | Decimal | None) -> str:
    """Format a large amount in millions of pesos: ``$ 53.902 millones``."""
    if amount is None or amount != amount:
        return NO_INFO
    return f"$ {round(float(amount) / 1e6):,} millones".replace(",", ".")


def format_int(value: int) -> str:
    """Format an integer with the es-CL thousands separator: ``1.197``."""
    return f"{int(value):,}".replace(",", ".")


def status_label(code: str | None) -> str:
    """Return the Spanish label of a status code."""
    return STATUSES.get(code or "sin_informacion", code or NO_INFO)


#: Vallenar's time zone: every date and time a person reads is local.
LOCAL_TZ = ZoneInfo("America/Santiago")


def format_datetime(value: datetime | None) -> str:
    """Local date and time as ``dd-mm-aaaa HH:MM`` (Vallenar's time zone)."""
    if value is None:
        return "fecha desconocida"
    return value.astimezone(LOCAL_TZ).strftime("%d-%m-%Y %H:%M")


#: Reference layers (issue 12): what residents recognise on a map (critical points, canals,
#: the river, the Plan Regulador...). Shown on the map and offered as suggestions for the
#: plan's sites; never linked to initiatives. Code -> Spanish title with the agency.
REFERENCE_LAYERS: dict[str, str] = {
    "punto_critico": "Puntos críticos de invierno 2024 (SENAPRED)",
    "remocion_en_masa": "Remociones en masa registradas (SERNAGEOMIN)",
    "canal": "Canales de riego (CNR)",
    "rio": "Río Huasco, tramo urbano parcial (IDE Chile)",
    "zona_prc": "Zonas del Plan Regulador Comunal 1981 (MINVU)",
    "limite_urbano_prc": "Límite urbano legal, Plan Regulador 1981 (MINVU)",
    "apr": "Agua potable rural (DOH)",
    "planta_aguas_servidas": "Planta de tratamiento de aguas servidas (SISS)",
    "vivero": "Viveros registrados (SAG)",
    "toponimo": "Nombres de lugares (IDE Chile)",
    "ferrocarril": "Red ferroviaria (IDE Chile)",
}


#: State of a workshop (issue 12): needs are recorded while it is open; closing it keeps
#: its closing report and refuses further needs.
WORKSHOP_STATES: dict[str, str] = {"abierto": "Abierto", "cerrado": "Cerrado"}

#: Kind of a need raised in a workshop.
NEED_KINDS: dict[str, str] = {
    "problema": "Problema",
    "propuesta": "Propuesta",
    "valor": "Valor (algo que cuidar)",
}

#: State of a need: accepted (counted), waiting for the facilitator (sent from a phone),
#: or rejected.
NEED_STATES: dict[str, str] = {
    "aceptada": "Aceptada",
    "pendiente": "Pendiente de revisión",
    "rechazada": "Rechazada",
}

#: How a need arrived: drawn in the workshop, sent from a resident's phone, typed from the
#: paper capture sheet.
NEED_ORIGINS: dict[str, str] = {
    "taller": "Registrada en el taller",
    "telefono": "Enviada desde un teléfono",
    "planilla": "Planilla de captura",
}

#: Attendance of a workshop by sex and by age group, when known (``workshop.attendance``
#: holds counts under these keys and no others).
ATTENDANCE_SEXES: dict[str, str] = {"mujeres": "Mujeres", "hombres": "Hombres", "otro": "Otro / no declara"}
ATTENDANCE_AGES: dict[str, str] = {
    "0-17": "0 a 17 años",
    "18-29": "18 a 29 años",
    "30-59": "30 a 59 años",
    "60+": "60 años o más",
}
ATTENDANCE_GROUPS: dict[str, dict[str, str]] = {"sexo": ATTENDANCE_SEXES, "edad": ATTENDANCE_AGES}

#: The strategy of a need that names none of the plan's: "otra".
OTHER_STRATEGY = "Otra (fuera de las líneas del plan)"

#: Spanish name of every field of a workshop (form, messages, history).
WORKSHOP_FIELD_LABELS: dict[str, str] = {
    "held_on": "Fecha",
    "place": "Lugar",
    "territories": "Territorios",
    "facilitator_id": "Facilitador(a) con cuenta",
    "facilitator_name": "Facilitador(a)",
    "state": "Estado",
    "attendance_total": "Asistencia total",
    "attendance": "Asistencia por sexo y edad",
    "organisations": "Organizaciones presentes",
    "closing_report": "Informe de cierre",
    "participation_code": "Código de participación",
    "participation_open": "Participación por teléfono abierta",
}

#: Spanish name of every field of a need.
NEED_FIELD_LABELS: dict[str, str] = {
    "kind": "Tipo",
    "strategy_id": "Estrategia",
    "text": "Texto",
    "votes": "Votos",
    "geometry": "Ubicación",
    "photo": "Foto",
    "state": "Estado",
    "origin": "Origen",
    "merged_into_id": "Fusionada en",
    "initiatives": "Iniciativas que la responden",
}


# --- Evaluating the PLADECO (issue 13) -------------------------------------------------------

#: State of an evaluation cut ("estado al 31-12"): a draft, or closed (frozen for good).
CUT_STATES: dict[str, str] = {"borrador": "Borrador", "cerrada": "Cerrada"}

#: Where an initiative's physical progress comes from: entered by a planner, or its status.
PROGRESS_SOURCES: dict[str, str] = {"registrado": "Registrado", "estado": "Según su estado"}

FIELD_LABELS["progress_pct"] = "Avance físico (%)"
