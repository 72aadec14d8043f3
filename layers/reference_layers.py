"""The reference layers on a map: switchable, drawn only when switched on, with a legend.

What residents recognise (SENAPRED critical points, CNR canals, the river, the Plan
Regulador, rural water systems, place names...; ``geo.territory.reference``) goes on every
map page as one layer per source in the layer control, off at first. All of them travel in
the map's fixed part as one gzip of GeoJSON (about 45 KB for the 11 layers), decoded by
``layers/js/reference.js`` the first time a layer is switched on, so a map that shows none
pays only those bytes. Texts go through :mod:`layers.sanitize` first (the tooltips insert
them as HTML); base64 carries no Jinja or HTML delimiters.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import folium
from branca.element import MacroElement, Template

from layers.assets import pack_json, page_script
from layers.sanitize import clean_feature_collection, clean_text

log = logging.getLogger(__name__)

JS_LIBRARY = page_script("gzip.js", "reference.js")
#: Attribute of the map container listing the reference layers drawn so far (tests wait on it).
DRAWN_REFERENCE_ATTRIBUTE = "data-sit-capas-dibujadas"

_LABEL_CSS = (
    "font:italic 600 12px/1.1 sans-serif;color:#4A3B2A;white-space:nowrap;"
    "text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff"
)


@dataclass(frozen=True)
class ReferenceStyle:
    """How one reference layer is drawn: ``kind`` point, line, area or label; Leaflet options."""

    kind: str
    colour: str
    path: Mapping[str, Any]
    point: Mapping[str, Any] | None = None


def _point(colour: str, radius: int = 6) -> ReferenceStyle:
    return ReferenceStyle(
        "point",
        colour,
        {},
        {
            "color": "#ffffff",
            "weight": 1.5,
            "fill": True,
            "fillColor": colour,
            "fillOpacity": 0.95,
            "radius": radius,
        },
    )


def _line(colour: str, weight: float, dash: str | None = None) -> ReferenceStyle:
    return ReferenceStyle(
        "line", colour, {"color": colour, "weight": weight, "dashArray": dash, "fill": False}
    )


#: Layer code (``geo.domain.REFERENCE_LAYERS``) -> its look; colours apart from the
#: strategies' and the facilities', readable on a projector.
STYLES: dict[str, ReferenceStyle] = {
    "punto_critico": _point("#B2182B", 7),
    "remocion_en_masa": _point("#8C510A"),
    "canal": _line("#2C7FB8", 1.8),
    "rio": _line("#08519C", 4),
    "zona_prc": ReferenceStyle(
        "area", "#6A51A3", {"color": "#6A51A3", "weight": 1.5, "fillColor": "#9E9AC8", "fillOpacity": 0.12}
    ),
    "limite_urbano_prc": _line("#54278F", 2.5, "2 5"),
    "apr": _point("#1D91C0"),
    "planta_aguas_servidas": _point("#525252", 7),
    "vivero": _point("#31A354", 5),
    "toponimo": ReferenceStyle("label", "#4A3B2A", {}),
    "ferrocarril": _line("#252525", 2.2, "9 4"),
}
_DEFAULT = _line("#737373", 1.5)


@dataclass(frozen=True)
class EncodedReference:
    """The reference layers of a map, encoded once (cache this).

    ``titles``: (code, Spanish title) in layer order; ``data``: the base64 of their gzipped
    (sanitised) GeoJSON; ``sig``: names this encoding in the page.
    """

    titles: tuple[tuple[str, str], ...]
    data: str
    sig: str

    @property
    def empty(self) -> bool:
        """True when no reference layer is loaded."""
        return not self.titles


def encode_reference(layers: Mapping[str, Mapping[str, Any]]) -> EncodedReference:
    """Encode ``layers`` for :func:`add_reference_layers`.

    ``layers``: layer code -> FeatureCollection (:func:`geo.territory.reference.map_reference_layers`).
    """
    clean = {code: clean_feature_collection(fc) for code, fc in layers.items() if fc.get("features")}
    titles = tuple((code, fc["features"][0]["properties"].get("capa") or code) for code, fc in clean.items())
    sig, data = pack_json(clean, level=9)
    return EncodedReference(titles=titles, data=data, sig="ref-" + sig)


class _Attach(MacroElement):
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.library }}
        window.sitReference.attach({{ this.sig|tojson }}, {{ this.data|tojson }},
            {{ this._parent.get_name() }}, {{ this.layer|tojson }}, {{ this.style|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, encoded: EncodedReference, layer: str, style: ReferenceStyle, first: bool) -> None:
        super().__init__()
        self._name = "SitReference"
        # The data and the library travel once, with the first layer; the others name it.
        self.library = JS_LIBRARY if first else ""
        self.data = encoded.data if first else ""
        self.sig = encoded.sig
        self.layer = layer
        self.style = {
            "path": dict(style.path),
            "point": dict(style.point or {}),
            "label": _LABEL_CSS if style.kind == "label" else "",
        }


def add_reference_layers(m: folium.Map, encoded: EncodedReference | None) -> None:
    """One switchable (initially hidden) group per reference layer of ``encoded``."""
    if encoded is None or encoded.empty:
        return
    for i, (code, title) in enumerate(encoded.titles):
        group = folium.FeatureGroup(name=clean_text(title), show=False, control=True)
        _Attach(encoded, code, STYLES.get(code, _DEFAULT), first=i == 0).add_to(group)
        group.add_to(m)


def _symbol(style: ReferenceStyle) -> str:
    if style.kind == "point":
        return (
            f'<span style="display:inline-block;width:11px;height:11px;border-radius:50%;'
            f'background:{style.colour};border:1px solid #fff;margin-right:5px;"></span>'
        )
    if style.kind == "label":
        return (
            f'<span style="font:italic 600 11px sans-serif;color:{style.colour};margin-right:5px;">Abc</span>'
        )
    if style.kind == "area":
        return (
            f'<span style="display:inline-block;width:14px;height:10px;background:#9E9AC8;opacity:.6;'
            f'border:1.5px solid {style.colour};margin-right:5px;"></span>'
        )
    dash = style.path.get("dashArray")
    border = "dashed" if dash else "solid"
    return (
        f'<span style="display:inline-block;width:16px;height:0;border-top:'
        f"{max(2, round(float(style.path.get('weight', 2))))}px {border} {style.colour};"
        f'vertical-align:middle;margin-right:5px;"></span>'
    )


def reference_layers_legend_html(encoded: EncodedReference | None, hidden: bool = True) -> str:
    """Legend rows of the reference layers.

    ``hidden``: inside a map, each row stays hidden until its layer is switched on
    (``layers/js/reference.js``); beside a map (the projector) they are all shown.
    """
    if encoded is None or encoded.empty:
        return ""
    attr = " hidden" if hidden else ""
    rows = [f'<div data-sit-capas{attr} style="margin-top:6px"><b>Capas de referencia</b></div>']
    for code, title in encoded.titles:
        rows.append(
            f'<div data-sit-capa="{clean_text(code)}"{attr}>{_symbol(STYLES.get(code, _DEFAULT))}'
            f"{clean_text(title)}</div>"
        )
    return "".join(rows)
