"""The drawing map of the initiative editor: UVs, placed sites, the stored geometry and Leaflet.draw.

No database here: it takes plain GeoJSON dicts. Every text property is sanitised
(:mod:`layers.sanitize`) and every asset is vendored (:mod:`layers.assets`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import folium
from shapely.geometry import shape

from layers.assets import STATIC_URL_PREFIX, offline_draw
from layers.locale import SpanishDrawLocal, spanish_map
from layers.map import EXTENTS, VALLENAR_CENTER, Legend
from layers.reference import add_sites, reference_legend_html
from layers.sanitize import clean_feature_collection, clean_text
from layers.styles import BASE_STYLES
from layers.view import fit_bounds

log = logging.getLogger(__name__)

FOCUS_PAD = 0.01  # degrees (~1 km) around the stored geometry when the map opens
CURRENT_CLASS = "sit-geometria-actual"
TARGET_CLASS = "sit-territorio-destino"
CURRENT_STYLE = {
    "color": "#D55E00",
    "weight": 4,
    "fillColor": "#D55E00",
    "fillOpacity": 0.35,
    "radius": 8,
    "className": CURRENT_CLASS,
}
TARGET_STYLE = {
    "color": "#0072B2",
    "weight": 3,
    "dashArray": "5 4",
    "fillColor": "#56B4E9",
    "fillOpacity": 0.25,
    "className": TARGET_CLASS,
}

#: Leaflet.draw tools offered: point (marker), line, polygon and rectangle; circles are not
#: GeoJSON geometries (Leaflet.draw returns a point with a radius), so they are left out.
#: Lengths and areas shown while drawing are metric only.
DRAW_OPTIONS = {
    "polyline": {"metric": True, "feet": False, "shapeOptions": {"color": "#D55E00"}},
    "polygon": {
        "allowIntersection": False,
        "metric": True,
        "feet": False,
        "shapeOptions": {"color": "#D55E00"},
    },
    "rectangle": {"metric": True, "shapeOptions": {"color": "#D55E00"}},
    "marker": True,
    "circle": False,
    "circlemarker": False,
}


def add_commune(m: folium.Map, commune: Mapping[str, Any]) -> None:
    """The commune's limit, to orient oneself (not clickable)."""
    if commune.get("features"):
        folium.GeoJson(
            clean_feature_collection(commune),
            name="Límite comunal",
            interactive=False,
            style_function=lambda _: BASE_STYLES["commune"],
        ).add_to(m)


def add_drawing_tools(m: folium.Map, static_prefix: str = STATIC_URL_PREFIX) -> None:
    """Leaflet.draw's point, line, polygon and rectangle tools, in Spanish, from the vendored files."""
    SpanishDrawLocal().add_to(m)  # before the Draw control reads L.drawLocal
    offline_draw(
        static_prefix,
        position="topleft",
        show_geometry_on_click=False,
        draw_options=DRAW_OPTIONS,
        edit_options={"edit": False, "remove": True},
    ).add_to(m)


def build_edit_map(
    *,
    commune: dict[str, Any],
    territories: dict[str, Any],
    current: dict[str, Any] | None = None,
    current_label: str = "",
    target: dict[str, Any] | None = None,
    sites: dict[str, Any] | None = None,
    static_prefix: str = STATIC_URL_PREFIX,
) -> folium.Map:
    """Return the map on which a person draws a point, line or polygon.

    Args:
        commune: the commune limit (FeatureCollection).
        territories: UVs and localities to orient oneself (FeatureCollection).
        current: the stored geometry of what is being edited (GeoJSON geometry), if any.
        current_label: its name (person-typed: sanitised here).
        target: a territory whose geometry would be copied, highlighted (FeatureCollection).
        sites: the plan's placed sites (``base_layers(conn)["sites"]``), so a site placed in
            the wrong spot can be seen while drawing.
        static_prefix: URL prefix of the vendored assets.
    """
    m = spanish_map(static_prefix, location=VALLENAR_CENTER, zoom_start=13)
    add_commune(m, commune)
    terr = clean_feature_collection(territories)
    if terr["features"]:
        # Localities placed by a point (their rural post) are drawn as circles: a default pin
        # would look like something the person drew.
        folium.GeoJson(
            terr,
            name="Unidades vecinales y localidades",
            marker=folium.CircleMarker(radius=6),
            style_function=lambda f: BASE_STYLES[
                "village" if f["properties"].get("layer") == "localidad" else "uv"
            ],
            tooltip=folium.GeoJsonTooltip(fields=["nombre", "codigo"], aliases=["Territorio", "Código"]),
        ).add_to(m)
    add_sites(m, sites)
    if target and target.get("features"):
        folium.GeoJson(
            clean_feature_collection(target),
            name="Territorio a copiar",
            style_function=lambda _: TARGET_STYLE,
            interactive=False,
        ).add_to(m)
    if current:
        fc = {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": current, "properties": {"nombre": clean_text(current_label)}}
            ],
        }
        folium.GeoJson(
            fc,
            name="Geometría guardada",
            marker=folium.CircleMarker(),
            style_function=lambda _: CURRENT_STYLE,
            tooltip=folium.GeoJsonTooltip(fields=["nombre"], aliases=["Guardada"]),
        ).add_to(m)
    legend = reference_legend_html({"sites": sites or {}})
    if current:
        legend += (
            f'<div><span style="display:inline-block;width:11px;height:11px;border-radius:50%;'
            f'background:{CURRENT_STYLE["color"]};margin-right:5px;"></span>Geometría guardada</div>'
        )
    if legend:
        Legend(legend).add_to(m)
    add_drawing_tools(m, static_prefix)
    folium.LayerControl(collapsed=True).add_to(m)
    focus = current or (target["features"][0]["geometry"] if target and target.get("features") else None)
    if focus:
        minx, miny, maxx, maxy = shape(focus).bounds
        fit_bounds(m, [[miny - FOCUS_PAD, minx - FOCUS_PAD], [maxy + FOCUS_PAD, maxx + FOCUS_PAD]])
    else:
        fit_bounds(m, EXTENTS["ciudad"][1])
    return m
