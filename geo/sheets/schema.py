"""The initiatives spreadsheet: its columns, its code lists and how each cell is read.

One row per initiative. Headers are Spanish; lists (strategy, plan, program, kind, status,
sector, funding source) show Spanish labels and accept the label or the code.

"Sector" of an initiative in this model is its territorial scope (``initiative.scope``):
``Comunal`` (the whole commune; no place needed), ``Localizada`` (at the places written in
"Ubicación"; whether those are urban or rural is computed from the territories, never
typed) or ``Fuera de la comuna``. The map's urban/rural filter follows from the places.

The model keeps years, not dates: "Inicio (año)" and "Término (año)" take a year
(``2016``) or a date ``dd-mm-aaaa`` (or an Excel date) of which only the year is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection

from geo.catalogue.choices import Choice, catalogue_levels
from geo.domain import FUNDING_SOURCES, INITIATIVE_KINDS, SCOPES, STATUSES
from geo.territory.gazetteer import normalize


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
    Column(
        "amount",
        "Monto (CLP)",
        ("monto", "monto clp", "monto $"),
        False,
        16,
        "Pesos: 12500000, 12.500.000 o $ 12.500.000; vacío = Sin información.",
    ),
    Column("funding", "Fuente de financiamiento", ("fuente", "financiamiento"), False, 18, "Lista."),
    Column("unit", "Unidad responsable", ("responsable",), False, 22, "Texto libre."),
    Column(
        "bip",
        "Código BIP",
        ("bip", "codigo bip"),
        False,
        14,
        "Código del Banco Integrado de Proyectos; sirve de clave si falta el Código.",
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
)
BY_KEY = {c.key: c for c in COLUMNS}
HEADERS = [c.header for c in COLUMNS]
MAX_LENGTH = {"code": 60, "bip": 30}


def header_key(header: object) -> str | None:
    """The column key of a header as written (case, accents and spacing ignored)."""
    h = normalize(str(header or ""))
    for c in COLUMNS:
        if h in {normalize(c.header), normalize(c.key), *c.aliases}:
            return c.key
    return None


class CellError(ValueError):
    """A cell that cannot be read: the Spanish reason."""


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
            "funding": [Choice(f, f) for f in FUNDING_SOURCES],
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
                "funding": "fuente de financiamiento desconocida",
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


_AMOUNT = re.compile(r"^\$?\s*(\d{1,3}(?:\.\d{3})+|\d+)(?:,0+)?$")


def parse_amount(value: object) -> int | None:
    """Pesos from ``12500000``, ``12.500.000``, ``$ 12.500.000`` or a number cell."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError("monto ilegible")
    if isinstance(value, (int, float)):
        if value != value or value < 0 or float(value) != int(value):
            raise CellError(f"monto ilegible «{value}»: debe ser un número entero de pesos, sin decimales")
        return int(value)
    raw = str(value).strip()
    m = _AMOUNT.match(raw.replace("\u00a0", " ").replace("CLP", "").strip())
    if not m:
        raise CellError(f"monto ilegible «{raw}»: escriba pesos como 12500000 o $ 12.500.000")
    return int(m.group(1).replace(".", ""))


_DATE = re.compile(r"^(\d{1,2})[-/](\d{1,2})[-/](\d{4})$")


def parse_year(value: object) -> int | None:
    """A year from ``2016``, ``dd-mm-aaaa`` or an Excel date cell (only the year is kept)."""
    if value is None or value == "":
        return None
    if isinstance(value, (datetime, date)):
        year = value.year
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and float(value) == int(value):
        year = int(value)
    else:
        raw = str(value).strip()
        m = _DATE.match(raw)
        if raw.isdigit():
            year = int(raw)
        elif m:
            try:
                year = date(int(m.group(3)), int(m.group(2)), int(m.group(1))).year
            except ValueError:
                raise CellError(f"fecha inexistente «{raw}» (formato dd-mm-aaaa)") from None
        else:
            raise CellError(f"año o fecha ilegible «{raw}»: escriba 2016 o dd-mm-aaaa")
    if not 1990 <= year <= 2100:
        raise CellError(f"año fuera de rango «{value}» (1990-2100)")
    return year


def text_value(value: object) -> str | None:
    """A text cell as typed (surrounding spaces trimmed; whole numbers without ``.0``)."""
    if value is None:
        return None
    if isinstance(value, float) and value == int(value):
        value = int(value)
    if isinstance(value, (datetime, date)):
        value = value.strftime("%d-%m-%Y")
    s = str(value).strip()
    return s or None
