"""The projector's map: one territory framed and highlighted, readable from the back of a hall.

Issue 12; no database here. Names and numbers are at least 16 px (the territory's name
22 px); the map carries no legend (the page shows it beside the map:
:func:`projector_legend_html`); the layer control stays open so a reference layer is one
click away; the scale is metric (:func:`layers.locale.spanish_map`). Once drawn, the map
container carries ``data-sit-proyector`` with the number of initiatives numbered on it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import folium
from branca.element import MacroElement, Template

from layers.assets import STATIC_URL_PREFIX, offline_fullscreen
from layers.locale import spanish_map
from layers.map import DrawnSignal
from layers.needs import NEED_COLOURS, need_style
from layers.reference_layers import EncodedReference, add_reference_layers, reference_layers_legend_html
from layers.sanitize import clean_feature_collection, clean_text
from layers.styles import strategy_colour
from layers.view import fit_bounds

log = logging.getLogger(__name__)

#: Attribute of the map container set once the map is drawn (the numbered initiatives).
PROJECTOR_DRAWN = "data-sit-proyector"
#: Smallest text on the projected map and beside it, in px.
MIN_FONT_PX = 16
FOCUS_COLOUR = "#000000"
_HALO = "text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 4px #fff"


class _BigControls(MacroElement):
    """Larger text for the layer control and the scale (a projector's back row)."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <style>
        .leaflet-control-layers, .leaflet-control-layers label { font: 16px/1.35 sans-serif; }
        .leaflet-control-layers input { width: 18px; height: 18px; vertical-align: -3px; }
        .leaflet-control-scale-line { font-size: 16px; padding: 2px 6px; }
        </style>
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "SitBigControls"


def _number_icon(number: int, colour: str) -> folium.DivIcon:
    return folium.DivIcon(
        class_name="sit-numero",
        icon_size=(30, 30),
        icon_anchor=(15, 15),
        html=(
            f'<div style="width:30px;height:30px;border-radius:50%;background:{colour};color:#fff;'
            f"border:2px solid #fff;box-shadow:0 0 3px rgba(0,0,0,.6);box-sizing:border-box;"
            f'font:700 {MIN_FONT_PX}px/26px sans-serif;text-align:center;">{number}</div>'
        ),
    )


def _name_icon(text: str, size: int, weight: int = 600) -> folium.DivIcon:
    return folium.DivIcon(
        class_name="sit-nombre",
        icon_size=(220, size * 3),
        icon_anchor=(110, size * 3 // 2),
        html=(
            f'<div style="font:{weight} {size}px/1.15 sans-serif;color:#222;text-align:center;{_HALO}">'
            f"{text}</div>"
        ),
    )


def build_projector_map(
    *,
    territory: Mapping[str, Any],
    neighbours: Mapping[str, Any],
    initiatives: Sequence[Mapping[str, Any]],
    reference: EncodedReference | None = None,
    needs: Mapping[str, Any] | None = None,
    static_prefix: str = STATIC_URL_PREFIX,
) -> folium.Map:
    """The projected map of one territory.

    Args:
        territory: a GeoJSON Feature of the territory with ``label`` and ``bounds``
            ((south, west, north, east)) in its properties.
        neighbours: FeatureCollection of the other UVs and localities (``label``, ``punto``).
        initiatives: ``number``, ``point`` ((lon, lat)), ``strategy_position``, ``code``,
            ``name`` of each numbered initiative with a place.
        reference: the reference layers, switchable, off at first.
        needs: FeatureCollection of residents' needs (``tipo``, ``texto``, ``votos``), or None.
        static_prefix: URL prefix of the vendored assets.
    """
    m = spanish_map(static_prefix, prefer_canvas=False, zoom_start=14)
    _BigControls().add_to(m)
    others = clean_feature_collection(neighbours)
    folium.GeoJson(
        others,
        name="Otros territorios",
        interactive=False,
        style_function=lambda _: {
            "color": "#777",
            "weight": 1.5,
            "fill": True,
            "fillColor": "#ddd",
            "fillOpacity": 0.25,
        },
    ).add_to(m)
    names = folium.FeatureGroup(name="Nombres de los otros territorios", show=True)
    for f in others["features"]:
        lon, lat = f["properties"]["punto"][:2]
        folium.Marker(
            (lat, lon), interactive=False, icon=_name_icon(f["properties"]["label"], MIN_FONT_PX, 500)
        ).add_to(names)
    names.add_to(m)
    focus = clean_feature_collection({"type": "FeatureCollection", "features": [territory]})
    label = focus["features"][0]["properties"]["label"]
    folium.GeoJson(
        focus,
        name=label,
        interactive=False,
        style_function=lambda _: {
            "color": FOCUS_COLOUR,
            "weight": 5,
            "fill": True,
            "fillColor": "#FFF3B0",
            "fillOpacity": 0.35,
        },
    ).add_to(m)
    add_reference_layers(m, reference)
    if needs and needs.get("features"):
        add_needs(m, needs)
    numbered = folium.FeatureGroup(name="Iniciativas del plan (numeradas)", show=True)
    drawn = 0
    for item in initiatives:
        if item.get("point") is None:
            continue
        lon, lat = item["point"][:2]
        folium.Marker(
            (lat, lon),
            icon=_number_icon(int(item["number"]), strategy_colour(item.get("strategy_position"))),
            tooltip=f"{int(item['number'])}. {clean_text(item.get('code'))} · {clean_text(item.get('name'))}",
        ).add_to(numbered)
        drawn += 1
    numbered.add_to(m)
    south, west, north, east = territory["properties"]["bounds"]
    # The territory's own name, at the top of its frame, over everything else.
    folium.Marker((north, (west + east) / 2), interactive=False, icon=_name_icon(label, 22, 700)).add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    offline_fullscreen(
        static_prefix, title="Pantalla completa", title_cancel="Salir de pantalla completa"
    ).add_to(m)
    fit_bounds(m, [[south, west], [north, east]], padding=(30, 30))
    DrawnSignal(PROJECTOR_DRAWN, drawn).add_to(m)
    return m


def add_needs(m: folium.Map, needs: Mapping[str, Any]) -> None:
    """Residents' needs, drawn as on the workshop's map, with their text and votes on hover.

    ``needs``: :func:`layers.needs.needs_feature_collection`; style: :func:`layers.needs.need_style`.
    """
    group = folium.FeatureGroup(name="Necesidades del taller", show=True)
    folium.GeoJson(
        clean_feature_collection(needs),
        style_function=lambda f: need_style(
            f["properties"].get("kind", ""), f["properties"].get("state", ""), f["properties"].get("votos", 0)
        ),
        marker=folium.CircleMarker(),
        tooltip=folium.GeoJsonTooltip(
            fields=["numero", "tipo", "texto", "votos"], aliases=["Necesidad", "Tipo", "Texto", "Votos"]
        ),
    ).add_to(group)
    group.add_to(m)


def _swatch(colour: str, round_: bool = True) -> str:
    radius = "50%" if round_ else "3px"
    return (
        f'<span style="display:inline-block;width:18px;height:18px;border-radius:{radius};'
        f"background:{colour};"
        f'vertical-align:-3px;margin-right:8px;border:2px solid #fff;box-shadow:0 0 2px #000;"></span>'
    )


def projector_legend_html(
    strategies: Sequence[tuple[int, str, str]],
    initiatives: Sequence[Mapping[str, Any]],
    reference: EncodedReference | None,
    needs: bool,
    limit: int = 12,
    need_kinds: Mapping[str, str] | None = None,
) -> str:
    """The legend and the short list of numbered initiatives, beside the map (16 px and up).

    ``initiatives``: ``number``, ``code``, ``name``, ``strategy_position``, ``point``; the
    first ``limit`` are listed and the rest counted ("y N más").
    """
    need_kinds = need_kinds or {}
    font = f"font:{MIN_FONT_PX}px/1.35 sans-serif"
    parts = [f'<div class="sit-proyector-leyenda" style="{font}">']
    parts.append(
        f'<div style="font-weight:700;font-size:{MIN_FONT_PX + 2}px;margin-bottom:4px">'
        "Iniciativas del plan aquí</div>"
    )
    if not initiatives:
        parts.append("<div>El plan no vincula iniciativas a este territorio.</div>")
    if any(i.get("is_demo") for i in initiatives):
        parts.append(
            '<div style="background:#FFF4CE;border-left:4px solid #E6A700;padding:2px 6px;margin:4px 0">'
            "Incluye iniciativas de demostración [DEMO]: sintéticas, no son del PLADECO.</div>"
        )
    for item in initiatives[:limit]:
        on_map = item.get("point") is not None
        parts.append(
            '<div style="margin:2px 0">'
            + _number_badge(int(item["number"]), strategy_colour(item.get("strategy_position")), on_map)
            + f"{clean_text(item.get('name'))}</div>"
        )
    if len(initiatives) > limit:
        parts.append(f"<div><i>y {len(initiatives) - limit} más</i></div>")
    if any(i.get("point") is None for i in initiatives):
        parts.append(
            f'<div style="margin-top:4px">{_number_badge(0, "#555", False).replace(">0<", ">&nbsp;<")}'
            "sin ubicación en el mapa (vinculada por nombre de lugar o de alcance comunal)</div>"
        )
    used = {i.get("strategy_code") for i in initiatives}
    shown = [(pos, code, name) for pos, code, name in strategies if code in used]
    if shown:
        parts.append('<div style="font-weight:700;margin-top:10px">Estrategias</div>')
        for pos, code, name in shown:
            parts.append(f"<div>{_swatch(strategy_colour(pos))}{clean_text(code)} · {clean_text(name)}</div>")
    if needs:
        parts.append('<div style="font-weight:700;margin-top:10px">Necesidades del taller</div>')
        for kind, colour in NEED_COLOURS.items():
            parts.append(f"<div>{_swatch(colour)}{clean_text(need_kinds.get(kind, kind))}</div>")
        parts.append("<div><i>Más votos, círculo más grande.</i></div>")
    parts.append(
        f'<div style="margin-top:10px">{_swatch("#FFF3B0", False)}Territorio elegido (borde negro)</div>'
    )
    ref = reference_layers_legend_html(reference, hidden=False)
    if ref:
        parts.append(ref)
        parts.append("<div><i>Se activan en el control de capas del mapa (arriba a la derecha).</i></div>")
    parts.append("</div>")
    return "".join(parts)


def _number_badge(number: int, colour: str, on_map: bool = True) -> str:
    """A filled badge for an initiative numbered on the map, a hollow one for one without a place."""
    fill, text = (colour, "#fff") if on_map else ("#fff", colour)
    return (
        f'<span style="display:inline-block;min-width:26px;height:26px;border-radius:13px;'
        f"background:{fill};color:{text};border:2px solid {colour};box-sizing:border-box;"
        f'font-weight:700;text-align:center;line-height:22px;margin-right:8px;">{number}</span>'
    )
