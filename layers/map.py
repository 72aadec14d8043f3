"""Build the folium map of the PLADECO from plain GeoJSON dicts (no database here).

Every text property goes through :mod:`layers.sanitize` before folium sees it. All JS/CSS
comes from the vendored files (:mod:`layers.assets`); the default base is vector-only, so
the map works without internet; an online basemap is added only when the user picks it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
from branca.element import MacroElement, Template

from layers.assets import STATIC_URL_PREFIX, offline_fullscreen, page_script
from layers.initiative_points import (
    EncodedInitiatives,
    InitiativeStore,
    Underneath,
    encode_initiatives,
)
from layers.locale import spanish_map
from layers.reference import add_facilities, add_sites, reference_legend_html
from layers.reference_layers import EncodedReference, add_reference_layers, reference_layers_legend_html
from layers.sanitize import clean_feature_collection, clean_text
from layers.styles import BASE_STYLES, COUNT_COLOURS, strategy_colour
from layers.territory_shading import (
    COUNT_BREAKS,
    EncodedTerritories,
    TerritoryStore,
    encode_territories,
)
from layers.view import fit_bounds

log = logging.getLogger(__name__)

VALLENAR_CENTER = (-28.5780, -70.7580)
#: Map frames, as [[south, west], [north, east]]: the city of Vallenar (where the 11 urban UVs
#: are) and the whole commune (where the 4 rural UVs and the localities are).
EXTENTS = {
    "ciudad": ("Ciudad de Vallenar", [[-28.62, -70.80], [-28.54, -70.71]]),
    "comuna": ("Comuna completa", [[-29.35, -71.25], [-28.35, -70.25]]),
}
BASEMAPS: dict[str, str | None] = {
    "Sin mapa base (funciona sin internet)": None,
    "OpenStreetMap (requiere internet)": "OpenStreetMap",
}


class Legend(MacroElement):
    """A fixed legend box (strategy colours and count classes); its text is pre-sanitised."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <details class="sit-legend" open style="position:absolute; z-index:750; bottom:22px;
             right:10px; background:rgba(255,255,255,.93); padding:6px 9px; border-radius:6px;
             font:11px/1.3 sans-serif; box-shadow:0 1px 4px rgba(0,0,0,.35); max-width:230px;
             max-height:calc(100% - 90px); overflow:auto;">
        <summary style="cursor:pointer;font-weight:600">Leyenda</summary>
        {{ this.body }}
        </details>
        {% endmacro %}
        """
    )

    def __init__(self, body: str) -> None:
        super().__init__()
        self._name = "SitLegend"
        self.body = body


#: Attribute of the map container set once the initiatives are on screen (their number).
DRAWN_ATTRIBUTE = "data-sit-drawn"
#: Key of the page element that waits for the map (ui/frame.py: the button under a map-first
#: run's map). Only while the page around the map shows it does the map report that its
#: initiatives are drawn (layers/js/initiatives.js): the report reruns the whole app, which
#: is what a map-first run waits for and, on any other visit, a run for nothing that could
#: land the person back on the map after a click on another page.
WAITING_KEY = "sit_waiting_for_map"


class DrawnSignal(MacroElement):
    """Sets ``attribute`` = ``count`` on its map's container once the map is drawn.

    Tests and benchmarks wait for such an attribute (the workshop map's needs, the
    projector's numbered initiatives) instead of guessing when Leaflet is done: set two
    frames after the map is ready, when what was added with it has been painted.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.whenReady(function () {
            var map = this;
            requestAnimationFrame(function () { requestAnimationFrame(function () {
                map.getContainer().setAttribute({{ this.attribute|tojson }}, {{ this.count|tojson }});
            }); });
        });
        {% endmacro %}
        """
    )

    def __init__(self, attribute: str, count: int) -> None:
        super().__init__()
        self._name = "SitDrawnSignal"
        self.attribute = attribute
        self.count = str(count)


def legend_html(strategies: Sequence[tuple[int, str, str]], show_counts: bool = True) -> str:
    """HTML of the legend; ``strategies`` are (position, code, name) tuples."""
    rows = ["<b>Iniciativas por estrategia</b>"]
    for pos, code, name in strategies:
        rows.append(
            f'<div><span style="display:inline-block;width:11px;height:11px;border-radius:50%;'
            f'background:{strategy_colour(pos)};margin-right:5px;"></span>'
            f"{clean_text(code)} · {clean_text(name)}</div>"
        )
    if show_counts:
        rows.append('<b style="display:block;margin-top:6px">Iniciativas vinculadas por territorio</b>')
        labels = []
        for i, lo in enumerate(COUNT_BREAKS):
            hi = COUNT_BREAKS[i + 1] - 1 if i + 1 < len(COUNT_BREAKS) else None
            labels.append(str(lo) if hi == lo else (f"{lo}–{hi}" if hi is not None else f"{lo} o más"))
        for colour, label in zip(COUNT_COLOURS, labels, strict=False):
            rows.append(
                f'<div><span style="display:inline-block;width:14px;height:10px;'
                f'background:{colour};border:1px solid #666;margin-right:5px;"></span>{label}</div>'
            )
    return "".join(rows)


class MapSelection(MacroElement):
    """Fills the map's groups of territories and initiatives with a selection.

    The selection is read from the page around the map's frame (``inline`` None: the app,
    see :func:`selection_html`) or given inline (a standalone document); the page's is
    followed as it changes (``layers/js/selection.js``).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.library }}
        window.sitSelection.attach({
            territories: {{ this.territories|tojson }}, initiatives: {{ this.initiatives|tojson }},
            shaded: {{ this.shaded.get_name() }}, located: {{ this.located.get_name() }},
            attribute: {{ this.attribute|tojson }}, waiting: {{ this.waiting|tojson }}
        }, {{ this.inline|tojson }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        territories: EncodedTerritories,
        initiatives: EncodedInitiatives,
        shaded: folium.FeatureGroup,
        located: folium.FeatureGroup,
    ) -> None:
        super().__init__()
        self._name = "SitSelection"
        self.library = SELECTION_JS
        self.territories = territories.sig
        self.initiatives = initiatives.sig
        self.shaded = shaded
        self.located = located
        self.attribute = DRAWN_ATTRIBUTE
        self.waiting = f".st-key-{WAITING_KEY}"
        self.inline: str | None = None


SELECTION_JS = page_script("selection.js")


@dataclass
class MapParts:
    """The map, and what of it the filters change.

    ``map`` holds everything, none of it dependent on the filters (limits, sites,
    facilities, legend, the UVs' names, every territory's shape and every initiative with a
    geometry, encoded once: :class:`TerritoryStore`, :class:`InitiativeStore`, and the
    groups they are shown in), so streamlit-folium receives the same arguments on every run:
    the map stays mounted and keeps its view, and Streamlit sends it once. ``selection`` (each
    territory's filtered count and colour, and which initiatives of the store to show) goes
    beside it in the page (:func:`selection_html`).
    """

    map: folium.Map
    selection: str
    target: MapSelection

    def whole(self) -> folium.Map:
        """The map with its selection inline (a standalone document: tests, benchmark)."""
        self.target.inline = self.selection
        return self.map


#: The page element that carries a map's selection: a style element (no room on the page).
SELECTION_ATTRIBUTE = "data-sit-selection"


def selection_html(selection: str) -> str:
    """The page element with ``selection`` (JSON of signatures, base64 and colours only)."""
    if "*/" in selection or "<" in selection:
        raise ValueError("a map selection holds only signatures, counts, colours and base64")
    return f'<style {SELECTION_ATTRIBUTE}="">/*{selection}*/</style>'


def uv_name_labels(features: Iterable[Mapping[str, Any]]) -> folium.FeatureGroup:
    """«UV 05 / Carrera» written at each UV's point on surface (``properties.label``).

    ``features`` are sanitised territory features (:func:`layers.sanitize.clean_feature_collection`)
    of :func:`geo.territory.queries.territory_features`; localities get no name here.
    """
    labels = folium.FeatureGroup(name="Nombres de unidades vecinales", show=True)
    for f in features:
        p = f["properties"]
        if p.get("layer") != "unidad_vecinal" or not p.get("label"):
            continue
        lon, lat = p["label"]
        folium.Marker(
            (lat, lon),
            interactive=False,
            icon=folium.DivIcon(
                class_name="sit-uv-label",
                icon_size=(110, 28),
                icon_anchor=(55, 14),
                html=(
                    f'<div style="font:600 11px sans-serif;color:#333;text-align:center;'
                    f'text-shadow:0 0 3px #fff,0 0 3px #fff;">UV {p["codigo"]}<br>'
                    f"{p['nombre']}</div>"
                ),
            ),
        ).add_to(labels)
    return labels


def build_map(
    *,
    base: dict[str, dict[str, Any]],
    territories: dict[str, Any],
    initiatives: EncodedInitiatives | Mapping[str, Any],
    strategies: Sequence[tuple[int, str, str]],
    selected: Iterable[int] | None = None,
    basemap: str | None = None,
    static_prefix: str = STATIC_URL_PREFIX,
    show_facilities: bool = True,
    reference: EncodedReference | None = None,
    territory_store: EncodedTerritories | None = None,
) -> MapParts:
    """Return the map: base layers, territories shaded by linked initiatives, initiatives.

    Args:
        base: ``commune``, ``urban``, ``schools``, ``health`` and (optionally) ``sites``
            FeatureCollections (:func:`geo.territory.queries.base_layers`).
        territories: UVs and localities with an ``iniciativas`` count property.
        initiatives: every initiative with a geometry the filters can show, encoded once
            (:func:`layers.initiative_points.encode_initiatives`; a FeatureCollection is
            encoded here).
        selected: ids of the filtered initiatives to show (``None``: all of them).
        strategies: (position, code, name) of each strategy for the legend.
        basemap: folium tiles name, or None for the offline vector-only base.
        static_prefix: URL prefix of the vendored assets.
        show_facilities: whether the school and health layers start visible.
        reference: the reference layers (:func:`layers.reference_layers.encode_reference`),
            switchable and hidden at first; None draws none.
        territory_store: the shapes of ``territories`` encoded once
            (:func:`layers.territory_shading.encode_territories`, cache it); None: encoded
            here from ``territories``.
    """
    # One canvas for every vector layer: 10,000 initiatives as SVG paths took the browser
    # about twice as long to draw (bench/). On a canvas the last drawn takes the click, so
    # the shaded territories are kept underneath (Underneath).
    m = spanish_map(static_prefix, location=VALLENAR_CENTER, zoom_start=13, prefer_canvas=True)
    if basemap:
        folium.TileLayer(basemap, name="Mapa base", control=True).add_to(m)
    for key, name in (("commune", "Límite comunal"), ("urban", "Límite urbano")):
        if base[key]["features"]:
            folium.GeoJson(
                clean_feature_collection(base[key]),
                name=name,
                interactive=False,
                style_function=lambda _, k=key: BASE_STYLES[k],
            ).add_to(m)
    # Shapes and names once; the selection only shades them.
    shapes = territory_store or encode_territories(territories)
    TerritoryStore(shapes).add_to(m)
    shaded = folium.FeatureGroup(name="Unidades vecinales y localidades")
    Underneath().add_to(shaded)
    uv_name_labels(clean_feature_collection(territories)["features"]).add_to(m)
    add_sites(m, base.get("sites"))
    add_facilities(m, base, show=show_facilities)
    add_reference_layers(m, reference)
    # All the initiatives a selection can show, built once; the selection only says which of
    # them to show (layers.initiative_points).
    encoded = initiatives if isinstance(initiatives, EncodedInitiatives) else encode_initiatives(initiatives)
    InitiativeStore(encoded).add_to(m)
    # The two groups the selection fills, after every other layer (and after the scripts
    # their own scripts use), as when they were swapped in with each filter change.
    shaded.add_to(m)
    located = folium.FeatureGroup(name="Iniciativas con ubicación")
    located.add_to(m)
    target = MapSelection(shapes, encoded, shaded, located)
    target.add_to(m)
    Legend(
        legend_html(strategies) + reference_legend_html(base) + reference_layers_legend_html(reference)
    ).add_to(m)
    offline_fullscreen(
        static_prefix, title="Pantalla completa", title_cancel="Salir de pantalla completa"
    ).add_to(m)
    fit_bounds(m, EXTENTS["ciudad"][1])
    folium.LayerControl(collapsed=True).add_to(m)
    selection = json.dumps(
        {
            "territories": shapes.sig,
            "initiatives": encoded.sig,
            "shading": shapes.shading(territories),
            "bits": encoded.bits(selected),
        },
        separators=(",", ":"),
    )
    return MapParts(m, selection, target)
