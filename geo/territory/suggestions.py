"""Suggestions for the plan's sites "sin ubicar": reference features whose name matches.

A SENAPRED critical point carries the name of the place where it lies, a canal its name, a
nursery its own: such a feature is a *candidate* location for a site the plan names, never
the site itself. This module lists candidates with their layer and agency; a person
confirms one (:func:`confirm_suggestion`, recorded in the site's history with where the
geometry came from) or places the site by hand. Nothing is placed without a person.

Matching, on names normalised like the gazetteer's (case, accents, punctuation; "Avda."
is "avenida"): the words that only say which part of a place is meant ("ladera",
"sector", articles) are left out of the site's name, and every remaining word must be
found in the feature's name (rapidfuzz ratio >= :data:`WORD_MATCH`, so "Ditborn" finds
"Dittborn"). A site named by one word must find it as the feature's first word, so
"Sector Norte" is not offered "El Morro Norte" while "Vivero" is offered "Vivero San
Martín"; a one-word site that names a layer's kind ("Vivero", "Canal") is also offered
every feature of that layer (score :data:`LAYER_MATCH`), so CONAF's "Provincial de Conaf"
nursery is a candidate for the plan's "Vivero". Checked on the real names in
``tests/geo/territory/test_suggestions.py``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import shapely
from rapidfuzz import fuzz
from sqlalchemy import Connection, Engine, text

from geo.db import transaction
from geo.domain import REFERENCE_LAYERS
from geo.errors import DataError
from geo.store.actor import Actor
from geo.store.territories import PlaceResult, place_site
from geo.territory.gazetteer import normalize

log = logging.getLogger(__name__)

#: Similarity (0-100) for a word of the site's name to count as found in the feature's name.
WORD_MATCH = 88.0
#: Words that say which part of a place is meant, or join words: not matched.
_PART_WORDS = frozenset(
    {"ladera", "laderas", "sector", "sectores", "de", "del", "la", "las", "el", "los", "y"}
)
#: The score of a feature offered because the site's one word names its layer's kind.
LAYER_MATCH = 90.0
#: The word that names the kind of feature of a layer.
_LAYER_WORDS = {"vivero": "vivero", "canal": "canal"}
_ABBREVIATIONS = {"avda": "avenida", "av": "avenida", "pje": "pasaje", "pob": "poblacion", "qda": "quebrada"}


def _words(name: str) -> list[str]:
    return [_ABBREVIATIONS.get(w, w) for w in normalize(name).split()]


def _core(name: str) -> list[str]:
    return [w for w in _words(name) if w not in _PART_WORDS]


def match_score(site_name: str, feature_name: str, layer: str | None = None) -> float | None:
    """How well a feature (its name, its layer) names the site (0-100), or None when it does not."""
    core = _core(site_name)
    feature = [w for w in _words(feature_name) if w not in _PART_WORDS]
    if not core or not feature:
        return None
    if len(core) == 1:
        score = fuzz.ratio(core[0], feature[0])
        if score >= WORD_MATCH:
            return score
        word = _LAYER_WORDS.get(layer or "")
        return LAYER_MATCH if word and fuzz.ratio(core[0], word) >= WORD_MATCH else None
    scores = [max(fuzz.ratio(w, f) for f in feature) for w in core]
    return sum(scores) / len(scores) if min(scores) >= WORD_MATCH else None


@dataclass(frozen=True)
class Suggestion:
    """A reference feature offered as the location of a site, with where it comes from."""

    site_id: int
    site_name: str
    feature_id: int
    layer: str
    feature_name: str
    source: str
    geometry_type: str
    score: float

    @property
    def layer_title(self) -> str:
        """The layer's Spanish title (with its agency)."""
        return REFERENCE_LAYERS.get(self.layer, self.layer)


def site_suggestions(bind: Engine | Connection, located: bool = False) -> dict[int, list[Suggestion]]:
    """Candidates per named site still "sin ubicar" (``located``: for every site), best first."""
    with transaction(bind) as conn:
        sites = conn.execute(
            text(
                "SELECT id, name FROM territory WHERE kind = 'sitio' "
                + ("" if located else "AND geom IS NULL ")
                + "ORDER BY name"
            )
        ).all()
        features = conn.execute(
            text(
                "SELECT id, layer, name, source, GeometryType(geom) AS gtype FROM reference_feature "
                "WHERE name IS NOT NULL ORDER BY layer, name, id"
            )
        ).all()
    out: dict[int, list[Suggestion]] = {}
    for site in sites:
        found = [
            Suggestion(site.id, site.name, f.id, f.layer, f.name, f.source, f.gtype, score)
            for f in features
            if (score := match_score(site.name, f.name, f.layer)) is not None
        ]
        out[site.id] = sorted(found, key=lambda s: (-s.score, s.layer, s.feature_name, s.feature_id))
    return out


def confirm_suggestion(
    bind: Engine | Connection, actor: Actor, site_id: int, feature_id: int, expected_version: int
) -> PlaceResult:
    """A person places the site where the reference feature is; the history says which and from whom."""
    with transaction(bind) as conn:
        row = conn.execute(
            text("SELECT layer, name, source, ST_AsBinary(geom) AS wkb FROM reference_feature WHERE id = :i"),
            {"i": feature_id},
        ).one_or_none()
        if row is None:
            raise DataError("El elemento de referencia sugerido ya no existe; actualice la página.")
        origin = {
            "capa": REFERENCE_LAYERS.get(row.layer, row.layer),
            "elemento": row.name,
            "fuente": row.source,
            "referencia_id": feature_id,
        }
        return place_site(
            conn, actor, site_id, shapely.from_wkb(bytes(row.wkb)), expected_version, origin=origin
        )
