"""Reference layers drawn on several maps, and their legend rows (no database here).

Schools and health establishments (grey when out of operation) and the plan's placed sites
(points, lines or polygons) look the same on every map, and each map that draws them
labels them in its legend with the same rows, so they are never read as initiatives.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import folium

from layers.sanitize import clean_feature_collection

log = logging.getLogger(__name__)

SCHOOL_COLOUR = "#1F78B4"
HEALTH_COLOUR = "#E31A1C"
OUT_OF_SERVICE_COLOUR = "#BBBBBB"
SITE_COLOUR = "#C51B7D"
SITE_CLASS = "sit-sitio"
SITES_LAYER = "Sitios del plan"

#: (key of the base layers, layer name, colour) of the facility layers.
FACILITIES: tuple[tuple[str, str, str], ...] = (
    ("schools", "Establecimientos educacionales", SCHOOL_COLOUR),
    ("health", "Establecimientos de salud", HEALTH_COLOUR),
)


def facility_style(colour: str, radius: int = 5) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Style function of a facility layer: ``colour``, grey when out of operation."""

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        active = feature["properties"].get("en_funcionamiento", True)
        return {
            "color": "#ffffff",
            "weight": 1,
            "fill": True,
            "fillColor": colour if active else OUT_OF_SERVICE_COLOUR,
            "fillOpacity": 0.95,
            "radius": radius,
        }

    return style


def site_style(feature: dict[str, Any]) -> dict[str, Any]:
    """A placed site: a ring for a point, a dashed outline for a line or an area."""
    if (feature.get("geometry") or {}).get("type") in ("Point", "MultiPoint"):
        return {
            "color": SITE_COLOUR,
            "weight": 3,
            "fill": True,
            "fillColor": "#ffffff",
            "fillOpacity": 0.9,
            "radius": 7,
            "className": SITE_CLASS,
        }
    return {
        "color": SITE_COLOUR,
        "weight": 3,
        "dashArray": "6 4",
        "fill": True,
        "fillColor": SITE_COLOUR,
        "fillOpacity": 0.15,
        "className": SITE_CLASS,
    }


def _has(layers: Mapping[str, Any], key: str) -> bool:
    fc = layers.get(key) or {}
    return bool(fc.get("features"))


def add_facilities(m: folium.Map, base: Mapping[str, Any], *, show: bool = True, radius: int = 5) -> None:
    """Add the school and health layers that have features (toggleable, with a tooltip)."""
    for key, name, colour in FACILITIES:
        if not _has(base, key):
            continue
        folium.GeoJson(
            clean_feature_collection(base[key]),
            name=name,
            show=show,
            marker=folium.CircleMarker(),
            style_function=facility_style(colour, radius),
            tooltip=folium.GeoJsonTooltip(
                fields=["nombre", "tipo", "estado"], aliases=["Nombre", "Tipo", "Estado"]
            ),
        ).add_to(m)


def add_sites(m: folium.Map, sites: Mapping[str, Any] | None, *, show: bool = True) -> None:
    """Add the plan's placed sites as their own toggleable layer, with name and source."""
    if not sites or not sites.get("features"):
        return
    folium.GeoJson(
        clean_feature_collection(sites),
        name=SITES_LAYER,
        show=show,
        marker=folium.CircleMarker(),
        style_function=site_style,
        highlight_function=lambda _: {"weight": 5},
        tooltip=folium.GeoJsonTooltip(fields=["nombre", "fuente"], aliases=["Sitio del plan", "Fuente"]),
    ).add_to(m)


def _dot(colour: str, ring: bool = False) -> str:
    fill = "#fff" if ring else colour
    border = f"2px solid {colour}" if ring else "1px solid #fff"
    return (
        f'<span style="display:inline-block;width:11px;height:11px;border-radius:50%;'
        f'background:{fill};border:{border};box-sizing:border-box;margin-right:5px;"></span>'
    )


def reference_legend_html(layers: Mapping[str, Any]) -> str:
    """Legend rows for the facility and site layers present in ``layers`` (base-layer dict)."""
    rows: list[str] = []
    facilities = [(name, colour) for key, name, colour in FACILITIES if _has(layers, key)]
    if facilities:
        rows.append('<b style="display:block;margin-top:6px">Establecimientos (no son iniciativas)</b>')
        for name, colour in facilities:
            rows.append(f'<div class="sit-legend-ref">{_dot(colour)}{name}</div>')
        rows.append(f'<div class="sit-legend-ref">{_dot(OUT_OF_SERVICE_COLOUR)}Fuera de funcionamiento</div>')
    if _has(layers, "sites"):
        rows.append('<b style="display:block;margin-top:6px">Lugares que nombra el plan</b>')
        rows.append(
            f'<div class="sit-legend-ref">{_dot(SITE_COLOUR, ring=True)}{SITES_LAYER} '
            "(ubicados en el SIT)</div>"
        )
    return "".join(rows)
