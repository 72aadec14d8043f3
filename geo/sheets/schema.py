"""The initiatives spreadsheet: its columns, its code lists and how each cell is read.

One row per initiative in «Iniciativas», one row per funding line in «Financiamiento»
(:data:`FUNDING_SHEET`). Headers are Spanish; lists (strategy, plan, program, kind, status,
sector, BIP stage, technical result; a line's source and stage) show Spanish labels and
accept the label or the code.

"Sector" of an initiative in this model is its territorial scope (``initiative.scope``):
``Comunal`` (the whole commune; no place needed), ``Localizada`` (at the places written in
"Ubicación"; whether those are urban or rural is computed from the territories, never
typed) or ``Fuera de la comuna``. The map's urban/rural filter follows from the places.

The model keeps years, not dates: "Inicio (año)" and "Término (año)" take a year
(``2016``) or a date ``dd-mm-aaaa`` (or an Excel date) of which only the year is kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Connection

from geo.catalogue.choices import Choice, catalogue_levels
from geo.domain import BIP_STAGES, INITIATIVE_KINDS, SCOPES, STATUSES, TECHNICAL_RESULTS
from geo.territory.gazetteer import normalize
from geo.values import ValueProblem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: the field it fills, its Spanish header and header aliases."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    width: int = 18
    help: str = ""


COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        "Código",
        ("codigo pladeco", "code"),
        True,
        16,
        "Código único de la iniciativa, elegido por el municipio (clave de la importación).",
    ),
    Column("name", "Nombre", ("iniciativa", "nombre de la iniciativa"), True, 48, "Obligatorio."),
    Column("kind", "Tipo", (), True, 12, "Lista: Plan, Programa, Proyecto o Estudio."),
    Column("strategy", "Estrategia", ("linea estrategica",), True, 30, "Lista; obligatoria."),
    Column("plan", "Plan", (), False, 30, "Lista; debe pertenecer a la estrategia."),
    Column("program", "Programa", (), False, 30, "Lista; debe pertenecer al plan."),
    Column("status", "Estado", (), False, 16, "Lista; vacío = Sin información."),
    Column(
        "scope",
        "Sector",
        ("alcance",),
        False,
        18,
        "Comunal, Localizada o Fuera de la comuna; vacío = Localizada si hay Ubicación, si no Comunal.",
    ),
    Column(
        "places",
        "Ubicación",
        ("ubicacion", "lugares", "lugar"),
        False,
        36,
        "Lugares separados por «;»: «UV 3; Domeyko; Sitio: Vivero; Escuela Gabriela Mistral».",
    ),
    Column("unit", "Unidad responsable", ("responsable",), False, 22, "Texto libre."),
    Column(
        "bip",
        "Código BIP",
        ("bip", "codigo bip"),
        False,
        14,
        "Código del Banco Integrado de Proyectos; sirve de clave si falta el Código.",
    ),
    Column("bip_stage", "Etapa BIP", ("etapa bip",), False, 14, "Lista: Perfil, …, Ejecución; opcional."),
    Column(
        "technical_result",
        "Resultado técnico",
        ("rate", "resultado tecnico"),
        False,
        16,
        "Lista (RATE): RS, FI, OT, IN o RE; opcional.",
    ),
    Column(
        "start",
        "Inicio (año)",
        ("inicio", "ano de inicio", "fecha de inicio"),
        False,
        12,
        "Año (2016) o fecha dd-mm-aaaa: se guarda el año.",
    ),
    Column(
        "end",
        "Término (año)",
        ("termino", "ano de termino", "fecha de termino"),
        False,
        12,
        "Año o fecha dd-mm-aaaa: se guarda el año; no antes del inicio.",
    ),
    Column("description", "Descripción", ("descripcion",), False, 48, "Texto libre."),
    Column("place_note", "Nota de ubicación", ("nota de ubicacion",), False, 30, "Texto libre."),
    Column(
        "version",
        "Versión",
        ("version",),
        False,
        10,
        "La llena la exportación; no la cambie. Si la iniciativa cambió en el sistema después de "
        "exportar, la fila se muestra en conflicto y no se escribe sin su confirmación.",
    ),
    Column(
        "modified",
        "Última modificación",
        ("ultima modificacion", "modificado"),
        False,
        18,
        "Cuándo cambió por última vez en el sistema, al exportar (dd-mm-aaaa HH:MM); solo informativa.",
    ),
)
BY_KEY = {c.key: c for c in COLUMNS}
HEADERS = [c.header for c in COLUMNS]
#: Spreadsheet column -> the field whose text limit applies (geo.values.TEXT_LIMITS).
TEXT_FIELDS = {
    "code": "code",
    "bip": "bip_code",
    "name": "name",
    "unit": "responsible_unit",
    "description": "description",
    "place_note": "place_note",
    "places": "places",
}


#: The second sheet: one row per funding line of an initiative (issue 11). For every
#: initiative of the «Iniciativas» sheet, its rows here are all its lines (none: it has none);
#: a workbook without this sheet leaves the lines as they are.
FUNDING_SHEET = "Financiamiento"
FUNDING_COLUMNS: tuple[Column, ...] = (
    Column(
        "code", "Código", ("codigo pladeco", "code"), True, 16, "Código de la iniciativa (hoja Iniciativas)."
    ),
    Column(
        "source", "Fuente", ("fuente de financiamiento",), False, 14, "Lista: Municipal, FNDR, FRIL, PMU, …"
    ),
    Column(
        "source_detail",
        "Detalle de la fuente",
        ("detalle", "ministerio o servicio"),
        False,
        30,
        "El ministerio o servicio de una fuente Sectorial; texto libre en «Otro».",
    ),
    Column("year", "Año", ("ano",), False, 8, "Año de la línea (2016)."),
    Column(
        "amount",
        "Monto (CLP)",
        ("monto", "monto clp", "monto $"),
        False,
        16,
        "Pesos: 12500000, 12.500.000 o $ 12.500.000; vacío = monto no informado (nunca $ 0).",
    ),
    Column("stage", "Etapa", (), True, 12, "Lista: Postulado, Aprobado o Ejecutado; obligatoria."),
)
FUNDING_BY_KEY = {c.key: c for c in FUNDING_COLUMNS}
FUNDING_HEADERS = [c.header for c in FUNDING_COLUMNS]


def header_key(header: object, columns: tuple[Column, ...] = COLUMNS) -> str | None:
    """The column key of a header as written (case, accents and spacing ignored)."""
    h = normalize(str(header or ""))
    for c in columns:
        if h in {normalize(c.header), normalize(c.key), *c.aliases}:
            return c.key
    return None


CellError = ValueProblem
"""A cell that cannot be read (the Spanish reason): the value parsers' own error."""


class Lists:
    """Code lists of the spreadsheet (catalogue levels from the database, the rest from domain)."""

    def __init__(self, strategies: list[Choice], plans: list[Choice], programs: list[Choice]):
        self.lists: dict[str, list[Choice]] = {
            "kind": [Choice(k, v) for k, v in INITIATIVE_KINDS.items()],
            "strategy": strategies,
            "plan": plans,
            "program": programs,
            "status": [Choice(k, v) for k, v in STATUSES.items()],
            "scope": [Choice(k, v) for k, v in SCOPES.items()],
            "bip_stage": [Choice(k, v) for k, v in BIP_STAGES.items()],
            "technical_result": [Choice(k, v) for k, v in TECHNICAL_RESULTS.items()],
        }
        self._index: dict[str, dict[str, Choice]] = {}
        for key, choices in self.lists.items():
            idx: dict[str, Choice] = {}
            for ch in choices:
                for form in (ch.code, ch.label, ch.label.split(" · ", 1)[-1]):
                    idx.setdefault(normalize(form), ch)
            self._index[key] = idx

    @classmethod
    def load(cls, conn: Connection) -> Lists:
        """Read strategies, plans and programs from the database, in catalogue order."""
        levels = catalogue_levels(conn)
        return cls(levels["strategy"], levels["plan"], levels["program"])

    def find(self, key: str, value: str) -> Choice:
        """The entry written as ``value`` (code, label or name); CellError when unknown."""
        idx = self._index[key]
        n = normalize(value)
        found = idx.get(n)
        if found is None and "·" in value:
            # "E9 · Name": the code decides, but only if the name agrees; a planner who wrote
            # another strategy's name made a mistake we must not resolve silently.
            found = idx.get(normalize(value.split("·", 1)[0]))
            if found is not None:
                raise CellError(
                    f"el código «{found.code}» corresponde a «{found.label}», no a "
                    f"«{value.strip()}»: corrija el código o el nombre"
                )
        if found is None:
            what = {
                "kind": "tipo desconocido",
                "strategy": "estrategia desconocida",
                "plan": "plan desconocido",
                "program": "programa desconocido",
                "status": "estado desconocido",
                "scope": "sector desconocido",
                "bip_stage": "etapa BIP desconocida",
                "technical_result": "resultado técnico desconocido",
            }[key]
            sample = ", ".join(
                c.label if key not in ("program", "plan") else c.code for c in self.lists[key][:9]
            )
            raise CellError(
                f"{what} «{value}»; valores posibles: {sample}" + (" …" if len(self.lists[key]) > 9 else "")
            )
        return found

    def label_of(self, key: str, code: str | None) -> str:
        """The label written in the spreadsheet for a stored code (empty when None)."""
        if code is None:
            return ""
        for ch in self.lists[key]:
            if ch.code == code:
                return ch.label
        return code
