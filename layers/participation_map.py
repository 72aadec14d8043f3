"""The small map of the phone participation page: the workshop's area, and the point tapped.

Plain Leaflet from the vendored files (:func:`layers.locale.spanish_map`, no tiles, no
network); the territories' names go through the one sanitiser.
"""

from __future__ import annotations

import logging
from typing import Any

import folium

from layers.locale import spanish_map
from layers.map import VALLENAR_CENTER
from layers.sanitize import clean_feature_collection

log = logging.getLogger(__name__)

AREA_STYLE = {"color": "#B2182B", "weight": 3, "fillColor": "#FFF7F3", "fillOpacity": 0.35}
CHOSEN_CLASS = "sit-punto-elegido"


def _bounds(area: dict[str, Any]) -> list[list[float]] | None:
    xs: list[float] = []
    ys: list[float] = []

    def walk(coords: Any) -> None:
        if coords and isinstance(coords[0], (int, float)):
            xs.append(float(coords[0]))
            ys.append(float(coords[1]))
        else:
            for c in coords:
                walk(c)

    for f in area.get("features", []):
        walk(f["geometry"]["coordinates"])
    return [[min(ys), min(xs)], [max(ys), max(xs)]] if xs else None


def phone_map(area: dict[str, Any], chosen: tuple[float, float] | None) -> folium.Map:
    """The workshop's territories framed, and the chosen point (lon, lat) as a large dot."""
    m = spanish_map(location=VALLENAR_CENTER, zoom_start=14)
    folium.GeoJson(
        clean_feature_collection(area),
        name="Territorio del taller",
        style_function=lambda _f: AREA_STYLE,
        interactive=False,
    ).add_to(m)
    bounds = _bounds(area)
    if bounds:
        m.fit_bounds(bounds)
    if chosen is not None:
        folium.CircleMarker(
            location=[chosen[1], chosen[0]],
            radius=12,
            color="#2166AC",
            weight=3,
            fill=True,
            fill_color="#2166AC",
            fill_opacity=0.6,
            class_name=CHOSEN_CLASS,
        ).add_to(m)
    return m
