"""The map's territories sent once and shaded in the browser.

A filter change used to re-send every UV and locality as GeoJSON (about 100 KB) only because
their counts of linked initiatives, and so their colours, changed. Now the map's fixed part
carries their shapes and names once (gzip of JSON, base64, decoded in the page by
``layers/js/territories.js``), and a filter change sends one count and one colour per
territory, in the order of the encoding.

Texts are sanitised (:mod:`layers.sanitize`) before they are encoded: the tooltip inserts
them as HTML. Base64 carries no Jinja or HTML delimiters.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from branca.element import MacroElement, Template

from layers.assets import pack_json, page_script
from layers.sanitize import clean_feature_collection
from layers.styles import BASE_STYLES, count_colour

log = logging.getLogger(__name__)

TERRITORY_CLASS = "sit-territorio"
#: Classes of "initiatives linked per territory" (the legend prints the same breaks).
COUNT_BREAKS = (0, 1, 3, 6, 10, 20)
JS_LIBRARY = page_script("gzip.js", "territories.js")
#: Tooltip rows: Spanish label -> property (``iniciativas`` is the filtered count).
TOOLTIP_ROWS = (
    ("Territorio", "nombre"),
    ("Código", "codigo"),
    ("Sector", "sector"),
    ("Iniciativas vinculadas", "iniciativas"),
)


@dataclass(frozen=True)
class EncodedTerritories:
    """The UVs and localities of a map, encoded once; ``ids`` in the order of the encoding."""

    sig: str
    data: str
    ids: tuple[int, ...]

    def shading(self, fc: Mapping[str, Any]) -> list[list[Any] | None]:
        """Per territory of the encoding, ``[count, fill colour]`` or None (not drawn).

        The count is ``fc``'s ``iniciativas``; a territory that ``fc`` does not have is None.
        """
        counts = {f["properties"]["id"]: int(f["properties"].get("iniciativas") or 0) for f in fc["features"]}
        unknown = set(counts) - set(self.ids)
        if unknown:
            log.warning("%d territories are not in the map's encoding", len(unknown))
        return [[counts[i], count_colour(counts[i], COUNT_BREAKS)] if i in counts else None for i in self.ids]


def encode_territories(fc: Mapping[str, Any]) -> EncodedTerritories:
    """Encode the shapes and names of ``fc`` (:func:`geo.territory.queries.territory_features`).

    Only what does not depend on the filters is encoded (kind, id, code, name, sector and
    the geometry, already simplified and rounded to about 1 m by the query), so every
    filter set of the same data gives the same encoding and the map is not reloaded.
    """
    features = clean_feature_collection(fc)["features"]
    cols: dict[str, list[Any]] = {k: [] for k in ("layer", "id", "codigo", "nombre", "sector", "geom")}
    for f in features:
        p = f["properties"]
        for key in ("layer", "id", "codigo", "nombre", "sector"):
            cols[key].append(p.get(key, ""))
        cols["geom"].append(f["geometry"])
    sig, data = pack_json(cols)
    return EncodedTerritories(
        sig=sig,
        data=data,
        ids=tuple(f["properties"]["id"] for f in features),
    )


def _style() -> dict[str, Any]:
    return {
        "base": {"unidad_vecinal": BASE_STYLES["uv"], "localidad": BASE_STYLES["village"]},
        "fillOpacity": 0.45,
        "className": TERRITORY_CLASS,
        "highlight": {"weight": 3, "color": "#000"},
        "tooltip": [list(row) for row in TOOLTIP_ROWS],
    }


class TerritoryStore(MacroElement):
    """The fixed part: the decoder and the encoded territories, built once per map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.library }}
        window.sitTerritories.load({{ this.sig|tojson }}, {{ this.data|tojson }}, {{ this.style|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, encoded: EncodedTerritories) -> None:
        super().__init__()
        self._name = "SitTerritoryStore"
        self.library = JS_LIBRARY
        self.sig = encoded.sig
        self.data = encoded.data
        self.style = _style()
