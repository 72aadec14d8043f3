"""Place names as planners write them, matched to territories and facilities.

A name is matched ignoring case, accents and punctuation. Unidades vecinales are also
found by number ("UV 3", "U.V. N°3", "unidad vecinal 03"). A kind prefix narrows the
search ("Sitio: Vivero", "Localidad: Domeyko", "Escuela: ...", "Salud: ..."). Typos are
tolerated with rapidfuzz, and every match carries a confidence (0-100).

Thresholds (checked on the real names of ``data/``, see tests/geo/test_gazetteer.py):

- exact normalised name, alias or UV number: confidence 100;
- otherwise the best fuzzy score (``WRatio``) must reach :data:`ACCEPT` (85) *and* lead
  the next different place by at least :data:`MARGIN` (6 points); "Huasco" is as close to
  "Huasco Poniente" as to "Huasco Oriente", so it is reported as ambiguous;
- below :data:`ACCEPT` the name is unknown; places scoring at least :data:`SUGGEST` are
  offered as suggestions. Nothing is ever guessed silently.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from sqlalchemy import Connection, text

log = logging.getLogger(__name__)

ACCEPT = 85.0
MARGIN = 6.0
SUGGEST = 70.0

#: Kind prefixes a planner may write before a name, mapped to entry kinds.
PREFIXES: dict[str, tuple[str, ...]] = {
    "uv": ("unidad_vecinal",),
    "unidad vecinal": ("unidad_vecinal",),
    "localidad": ("localidad",),
    "localidad rural": ("localidad",),
    "sitio": ("sitio",),
    "escuela": ("escuela",),
    "establecimiento educacional": ("escuela",),
    "colegio": ("escuela",),
    "liceo": ("escuela",),
    "salud": ("salud",),
    "establecimiento de salud": ("salud",),
    "establecimiento": ("escuela", "salud"),
}
#: The prefix written in canonical labels, per kind.
KIND_PREFIX = {
    "unidad_vecinal": "UV",
    "localidad": "Localidad",
    "sitio": "Sitio",
    "escuela": "Escuela",
    "salud": "Salud",
}
_UV_NUMBER = re.compile(
    r"^(?:uv|u v|unidad vecinal|unidad vec|junta vecinal)\s*(?:n|no|nro|num|numero)?\s*"
    r"0*(\d{1,3})\b\s*(.*)$"
)
_HEALTH_ALIASES = (
    ("centro de salud familiar ", "cesfam "),
    ("posta de salud rural ", "posta "),
    ("posta de salud rural ", "posta rural "),
)


@functools.lru_cache(maxsize=65536)
def normalize(value: str) -> str:
    """Lower-case, strip accents and punctuation, collapse spaces (``N°`` becomes ``n``)."""
    value = unicodedata.normalize("NFKD", str(value).replace("°", " ").replace("º", " "))
    value = "".join(c for c in value if not unicodedata.combining(c)).lower()
    value = re.sub(r"[^a-z0-9]+", " ", value)
    return " ".join(value.split())


@dataclass(frozen=True)
class Place:
    """One thing a name can refer to: a territory or a facility."""

    target: str  # "territory" or "facility"
    id: int
    kind: str  # territory kind, or facility kind (escuela/salud)
    code: str
    name: str


@dataclass
class Match:
    """The outcome for one written name: a place with a confidence, or why not."""

    written: str
    place: Place | None = None
    confidence: float = 0.0
    candidates: list[tuple[Place, float]] = field(default_factory=list)
    problem: str | None = None  # Spanish, when place is None

    @property
    def ok(self) -> bool:
        """True when the name resolved to exactly one place."""
        return self.place is not None


class Gazetteer:
    """Every place of the database, indexed by normalised name, alias and UV number."""

    def __init__(self, places: list[Place]):
        self.places = places
        self._exact: dict[str, list[Place]] = {}
        self._uv: dict[int, Place] = {}
        for p in places:
            for key in self._keys(p):
                bucket = self._exact.setdefault(key, [])
                if p not in bucket:
                    bucket.append(p)
            if p.kind == "unidad_vecinal" and p.code.isdigit():
                self._uv[int(p.code)] = p
        self._choices = [(normalize(p.name), p) for p in places]
        self._labels = {p: self._canonical(p) for p in places}

    @staticmethod
    def _keys(p: Place) -> list[str]:
        name = normalize(p.name)
        keys = [name]
        for long, short in _HEALTH_ALIASES:
            if p.kind == "salud" and name.startswith(long):
                keys.append(short + name[len(long) :])
        return keys

    def _canonical(self, p: Place) -> str:
        if p.kind == "unidad_vecinal" and p.code.isdigit():
            return f"UV {int(p.code)}"
        if len(self._exact.get(normalize(p.name), [])) == 1:
            return p.name
        return f"{KIND_PREFIX[p.kind]}: {p.name}"

    def label(self, p: Place) -> str:
        """The name to write for ``p`` so that it is found again exactly (used by exports)."""
        return self._labels[p]

    @classmethod
    def load(cls, conn: Connection) -> Gazetteer:
        """Read territories and facilities from the database."""
        rows = conn.execute(
            text(
                """
            SELECT 'territory' AS target, id, kind, code, name FROM territory
            UNION ALL
            SELECT 'facility', id, kind, code, name FROM facility
            ORDER BY 1, 3, 4
            """
            )
        ).all()
        return cls([Place(r.target, r.id, r.kind, r.code, r.name) for r in rows])

    def match(self, written: str) -> Match:
        """Resolve one written place name (see the module docstring for the rules)."""
        query = normalize(written)
        result = Match(written=written.strip())
        if not query:
            result.problem = "nombre de lugar vacío"
            return result
        kinds: tuple[str, ...] | None = None
        head, sep, rest = written.partition(":")
        if sep and normalize(head) in PREFIXES:
            kinds, query = PREFIXES[normalize(head)], normalize(rest)
        uv = _UV_NUMBER.match(query)
        if uv and (kinds is None or "unidad_vecinal" in kinds):
            return self._match_uv(result, int(uv.group(1)), uv.group(2))
        if kinds == ("unidad_vecinal",) and query.isdigit():
            return self._match_uv(result, int(query), "")
        exact = [p for p in self._exact.get(query, []) if kinds is None or p.kind in kinds]
        if len(exact) == 1:
            result.place, result.confidence = exact[0], 100.0
            return result
        if len(exact) > 1:
            result.candidates = [(p, 100.0) for p in exact]
            result.problem = "ambiguo: " + self._options(exact)
            return result
        choices = {i: n for i, (n, p) in enumerate(self._choices) if kinds is None or p.kind in kinds}
        scored = process.extract(query, choices, scorer=fuzz.WRatio, limit=5)
        ranked = [(self._choices[key][1], float(score)) for _, score, key in scored]
        result.candidates = [(p, s) for p, s in ranked if s >= SUGGEST]
        if ranked and ranked[0][1] >= ACCEPT:
            best, score = ranked[0]
            rivals = [p for p, s in ranked[1:] if s > score - MARGIN and p != best]
            if not rivals:
                result.place, result.confidence = best, round(score, 1)
                return result
            result.problem = "ambiguo: " + self._options([best, *rivals])
            return result
        if result.candidates:
            result.problem = (
                "lugar desconocido; ¿quiso decir "
                + self._options([p for p, _ in result.candidates[:3]])
                + "?"
            )
        else:
            result.problem = "lugar desconocido en el nomenclátor (UV, localidades, sitios, establecimientos)"
        return result

    def _match_uv(self, result: Match, number: int, trailing: str) -> Match:
        place = self._uv.get(number)
        if place is None:
            result.problem = f"no existe la unidad vecinal {number}"
            return result
        if trailing and fuzz.WRatio(trailing, normalize(place.name)) < ACCEPT:
            result.problem = f"el número y el nombre no coinciden: la UV {number} es «{place.name}»"
            result.candidates = [(place, 100.0)]
            return result
        result.place, result.confidence = place, 100.0
        return result

    def _options(self, places: list[Place]) -> str:
        return " o ".join(f"«{self._labels[p]}»" for p in places)


def split_places(cell: str | None) -> list[str]:
    """Split an "Ubicación" cell on ``;`` (empty parts dropped)."""
    if not cell:
        return []
    return [part.strip() for part in str(cell).split(";") if part.strip()]
