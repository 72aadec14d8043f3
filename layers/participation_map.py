"""The small map of the phone participation page: the workshop's area, and the point tapped.

Plain Leaflet from the vendored files (:func:`layers.locale.spanish_map`, no tiles, no
network); the territories' names go through the one sanitiser.
"""

from __future__ import annotations

import logging
import math
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


def _view(bounds: list[list[float]] | None) -> tuple[tuple[float, float], int]:
    """Centre and zoom that frame ``bounds`` in a phone's map (about 340 x 280 px).

    Computed here rather than with ``fit_bounds``: in the component's iframe Leaflet fits the
    bounds before the frame has its final width, and the area ends up in a corner.
    """
    if bounds is None:
        return VALLENAR_CENTER, 13
    (s, w), (n, e) = bounds
    lat = (s + n) / 2
    metres_per_px_z0 = 156_543.03 * math.cos(math.radians(lat))
    dx = max((e - w) * 111_320 * math.cos(math.radians(lat)), 50.0)
    dy = max((n - s) * 110_574, 50.0)
    zoom = math.floor(min(math.log2(metres_per_px_z0 * 340 / dx), math.log2(metres_per_px_z0 * 280 / dy)))
    return (lat, (w + e) / 2), max(10, min(zoom, 18))


def phone_map(area: dict[str, Any], chosen: tuple[float, float] | None) -> folium.Map:
    """The workshop's territories framed, and the chosen point (lon, lat) as a large dot."""
    centre, zoom = _view(_bounds(area))
    m = spanish_map(location=centre, zoom_start=zoom)
    folium.GeoJson(
        clean_feature_collection(area),
        name="Territorio del taller",
        style_function=lambda _f: AREA_STYLE,
        interactive=False,
    ).add_to(m)
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
