"""The workshop's map: its territories framed, the plan's initiatives, the needs by kind.

Leaflet.draw places a new need (a point, a line or an area).

No database here: plain GeoJSON dicts in. Every text a person typed (a need's text, names)
goes through :mod:`layers.sanitize` before it reaches folium; every asset is vendored.
Once the needs are on the map, its container carries :data:`NEEDS_ATTRIBUTE` (their
number), the signal browser tests wait for.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import folium
import shapely
from shapely.geometry import shape

from layers.assets import STATIC_URL_PREFIX
from layers.editmap import add_commune, add_drawing_tools
from layers.locale import spanish_map
from layers.map import VALLENAR_CENTER, DrawnSignal, Legend
from layers.sanitize import clean_feature_collection, clean_text
from layers.view import fit_bounds

log = logging.getLogger(__name__)

#: Colour of each kind of need (Okabe-Ito: told apart by people with colour-blindness too).
NEED_COLOURS: dict[str, str] = {"problema": "#D55E00", "propuesta": "#0072B2", "valor": "#009E73"}
#: A need still waiting for the facilitator (sent from a phone) is drawn dashed, in grey.
PENDING_COLOUR = "#7F7F7F"
NEED_CLASS = "sit-necesidad"
FRAME_CLASS = "sit-territorio-taller"
#: Attribute of the map container: how many needs are drawn (set once they are on screen).
NEEDS_ATTRIBUTE = "data-sit-needs"
FRAME_STYLE = {
    "color": "#000000",
    "weight": 3,
    "fillColor": "#FFF7F3",
    "fillOpacity": 0.25,
    "className": FRAME_CLASS,
}
INITIATIVE_STYLE = {
    "color": "#444444",
    "weight": 2,
    "fill": True,
    "fillColor": "#FFFFFF",
    "fillOpacity": 0.9,
    "radius": 6,
}


def need_style(kind: str, state: str = "aceptada", votes: int = 0) -> dict[str, Any]:
    """The Leaflet style of a need: its kind's colour; bigger with more votes; pending dashed."""
    colour = NEED_COLOURS.get(kind, PENDING_COLOUR) if state != "pendiente" else PENDING_COLOUR
    return {
        "color": colour,
        "weight": 4,
        "fill": True,  # folium's CircleMarker has none: a ring, hoverable only on its edge
        "fillColor": colour,
        "fillOpacity": 0.45,
        "radius": 7 + min(int(votes or 0), 20) / 2,
        "dashArray": "6 4" if state == "pendiente" else None,
        "className": NEED_CLASS,
    }


def needs_feature_collection(
    needs: Sequence[Mapping[str, Any]], kind_labels: Mapping[str, str]
) -> dict[str, Any]:
    """GeoJSON of needs (rows of :func:`geo.workshops.queries.workshop_needs`), texts sanitised."""
    return clean_feature_collection(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": n["geometry"],
                    "properties": {
                        "layer": "necesidad",
                        "id": n["id"],
                        "numero": f"n.º {n['id']}",
                        "kind": n["kind"],
                        "tipo": kind_labels.get(n["kind"], n["kind"]),
                        "texto": n["text"],
                        "votos": n["votes"],
                        "state": n["state"],
                        "estrategia": n.get("strategy_code") or "otra",
                    },
                }
                for n in needs
            ],
        }
    )


def legend_body(kind_labels: Mapping[str, str], initiatives: int) -> str:
    """The legend: the kinds of need, the pending ones, the framed territory, the initiatives."""
    dot = (
        '<span style="display:inline-block;width:11px;height:11px;border-radius:50%;'
        'background:{};margin-right:5px;"></span>'
    )
    rows = ["<b>Necesidades</b>"]
    rows += [
        f"<div>{dot.format(NEED_COLOURS[k])}{clean_text(label)}</div>"
        for k, label in kind_labels.items()
        if k in NEED_COLOURS
    ]
    rows.append(f"<div>{dot.format(PENDING_COLOUR)}Pendiente de revisión</div>")
    rows.append(
        '<div><span style="display:inline-block;width:14px;height:10px;border:3px solid #000;'
        'margin-right:5px;"></span>Territorio del taller</div>'
    )
    if initiatives:
        rows.append(
            '<div><span style="display:inline-block;width:10px;height:10px;border-radius:50%;'
            'border:2px solid #444;background:#fff;margin-right:5px;"></span>'
            f"Iniciativas del plan ({initiatives})</div>"
        )
    return "".join(rows)


def build_workshop_map(
    *,
    commune: Mapping[str, Any],
    framed: Mapping[str, Any],
    initiatives: Mapping[str, Any],
    needs: Mapping[str, Any],
    kind_labels: Mapping[str, str],
    draw: bool = True,
    static_prefix: str = STATIC_URL_PREFIX,
) -> folium.Map:
    """The map of one workshop.

    Args:
        commune: the commune limit (FeatureCollection).
        framed: the workshop's territories (FeatureCollection with ``label``), framed and zoomed to.
        initiatives: the plan's initiatives drawn there (FeatureCollection with ``codigo``, ``nombre``).
        needs: :func:`needs_feature_collection` of the workshop's needs.
        kind_labels: Spanish names of the kinds of need (legend).
        draw: offer Leaflet.draw's point, line, polygon and rectangle tools.
        static_prefix: URL prefix of the vendored assets.
    """
    m = spanish_map(static_prefix, location=VALLENAR_CENTER, zoom_start=14)
    add_commune(m, commune)
    frame = clean_feature_collection(framed)
    if frame["features"]:
        folium.GeoJson(
            frame,
            name="Territorio del taller",
            style_function=lambda _: FRAME_STYLE,
            interactive=False,  # the mouse reaches the needs and initiatives inside it
        ).add_to(m)
    plan = clean_feature_collection(initiatives)
    if plan["features"]:
        folium.GeoJson(
            plan,
            name="Iniciativas del plan",
            marker=folium.CircleMarker(),
            style_function=lambda _: INITIATIVE_STYLE,
            tooltip=folium.GeoJsonTooltip(fields=["codigo", "nombre"], aliases=["Iniciativa", "Nombre"]),
        ).add_to(m)
    drawn = clean_feature_collection(needs)
    if drawn["features"]:
        folium.GeoJson(
            drawn,
            name="Necesidades",
            marker=folium.CircleMarker(),
            style_function=lambda f: need_style(
                f["properties"]["kind"], f["properties"]["state"], f["properties"]["votos"]
            ),
            tooltip=folium.GeoJsonTooltip(
                fields=["numero", "tipo", "texto", "votos", "estrategia"],
                aliases=["Necesidad", "Tipo", "Texto", "Votos", "Estrategia"],
            ),
        ).add_to(m)
    DrawnSignal(NEEDS_ATTRIBUTE, len(drawn["features"])).add_to(m)
    Legend(legend_body(kind_labels, len(plan["features"]))).add_to(m)
    if draw:
        add_drawing_tools(m, static_prefix)
    folium.LayerControl(collapsed=True).add_to(m)
    bounds = _bounds(frame) or _bounds(drawn)
    if bounds:
        fit_bounds(m, bounds)
    return m


def _bounds(fc: Mapping[str, Any], pad: float = 0.003) -> list[list[float]] | None:
    geoms = [shape(f["geometry"]) for f in fc.get("features", []) if f.get("geometry")]
    if not geoms:
        return None
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    return [[miny - pad, minx - pad], [maxy + pad, maxx + pad]]
