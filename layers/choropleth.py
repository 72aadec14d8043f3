"""Choropleth of a coverage metric by territory, classed with mapclassify (no database here).

Classes: quantiles or natural breaks (Fisher-Jenks) from :mod:`mapclassify`, at most five,
fewer when there are fewer distinct values. Territories without population (no value) get
their own grey class. The legend lists each class's range. No ``folium.Choropleth``: its
branca colormap links d3 from a CDN (see :mod:`layers.assets`).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import mapclassify
import numpy as np

from layers.assets import STATIC_URL_PREFIX, offline_fullscreen
from layers.locale import spanish_map
from layers.map import EXTENTS, VALLENAR_CENTER, Legend, uv_name_labels
from layers.reference import add_facilities, add_sites, reference_legend_html
from layers.reference_layers import EncodedReference, add_reference_layers, reference_layers_legend_html
from layers.sanitize import clean_feature_collection, clean_text
from layers.styles import BASE_STYLES
from layers.view import fit_bounds

log = logging.getLogger(__name__)

CLASS_METHODS: dict[str, str] = {"quantiles": "Cuantiles", "natural_breaks": "Cortes naturales (Jenks)"}
CLASS_COLOURS: tuple[str, ...] = ("#FFFFCC", "#A1DAB4", "#41B6C4", "#2C7FB8", "#253494")
NO_VALUE_COLOUR = "#D9D9D9"
PATH_CLASS = "sit-brecha"


@dataclass(frozen=True)
class Classes:
    """Class of every value (-1 = no value) and the (low, high) range of each class."""

    index: list[int]
    ranges: list[tuple[float, float]]
    method: str


def classify(values: Sequence[float | None], method: str = "quantiles", k: int = 5) -> Classes:
    """Class ``values`` (None/NaN stay unclassed) with quantiles or natural breaks."""
    arr = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
    ok = ~np.isnan(arr)
    data = arr[ok]
    index = [-1] * len(arr)
    if data.size == 0:
        return Classes(index, [], method)
    distinct = np.unique(data)
    k = max(1, min(k, distinct.size))
    if k == 1:
        bins = np.array([data.max()])
    else:
        with warnings.catch_warnings():  # "not enough unique values": k is lowered, as wanted
            warnings.simplefilter("ignore", UserWarning)
            if method == "natural_breaks":
                bins = np.unique(mapclassify.FisherJenks(data, k=k).bins)
            else:
                bins = np.unique(mapclassify.Quantiles(data, k=k).bins)
    cls = np.searchsorted(bins, data, side="left")
    cls = np.minimum(cls, len(bins) - 1)
    for pos, c in zip(np.flatnonzero(ok), cls, strict=True):
        index[int(pos)] = int(c)
    ranges = []
    low = float(data.min())
    for i, hi in enumerate(bins):
        members = data[cls == i]
        lo = float(members.min()) if members.size else low
        ranges.append((lo, float(hi)))
        low = float(hi)
    return Classes(index, ranges, method)


def class_colour(c: int) -> str:
    """Fill colour of class ``c`` (-1: no value)."""
    return NO_VALUE_COLOUR if c < 0 else CLASS_COLOURS[min(c, len(CLASS_COLOURS) - 1)]


def legend_ranges_html(
    title: str,
    classes: Classes,
    fmt: Callable[[float], str],
    has_missing: bool,
    missing_label: str = "Sin población",
) -> str:
    """Legend body: the metric's name and one line per class with its range (then ``missing_label``)."""
    rows = [
        f"<b>{clean_text(title)}</b>",
        f"<div style='color:#555'>{clean_text(CLASS_METHODS.get(classes.method, ''))}</div>",
    ]
    for i, (lo, hi) in enumerate(classes.ranges):
        text = fmt(lo) if lo == hi else f"{fmt(lo)} – {fmt(hi)}"
        rows.append(
            f'<div class="sit-legend-class"><span style="display:inline-block;width:14px;'
            f'height:10px;background:{class_colour(i)};border:1px solid #666;margin-right:5px;">'
            f"</span>{clean_text(text)}</div>"
        )
    if has_missing:
        rows.append(
            f'<div class="sit-legend-class"><span style="display:inline-block;width:14px;'
            f"height:10px;background:{NO_VALUE_COLOUR};border:1px solid #666;"
            f'margin-right:5px;"></span>{clean_text(missing_label)}</div>'
        )
    return "".join(rows)


def _style(feature: dict[str, Any]) -> dict[str, Any]:
    p = feature["properties"]
    c = int(p.get("clase", -1))
    village = p.get("layer") == "localidad"
    return {
        "color": "#2F2F2F",
        "weight": 1.5 if village else 1,
        "fillColor": class_colour(c),
        "fillOpacity": 0.75,
        "radius": 8,
        "className": f"{PATH_CLASS} sit-clase-{c}",
    }


def build_choropleth(
    *,
    territories: dict[str, Any],
    base: dict[str, dict[str, Any]],
    legend_html: str,
    extent: str = "comuna",
    static_prefix: str = STATIC_URL_PREFIX,
    uv_names: bool = False,
    reference: EncodedReference | None = None,
) -> folium.Map:
    """Map of territories filled by class (``properties.clase``), with facilities, sites and legend.

    ``territories`` features carry ``layer``, ``id``, ``nombre``, ``codigo``, ``clase``
    and ``valor`` (the formatted value shown in the tooltip). ``extent`` is a key of
    :data:`layers.map.EXTENTS` (the city or the whole commune). ``base`` holds the commune
    limit, the facility layers and (optionally) the placed ``sites``; the legend gets their
    rows after ``legend_html``. ``uv_names``: write «UV 05 / Carrera» on each UV (features
    with ``label``, as :func:`layers.map.uv_name_labels` reads them). ``reference``: the
    reference layers, switchable and hidden at first (:mod:`layers.reference_layers`).
    """
    m = spanish_map(static_prefix, location=VALLENAR_CENTER, zoom_start=11, prefer_canvas=False)
    if base["commune"]["features"]:
        folium.GeoJson(
            clean_feature_collection(base["commune"]),
            name="Límite comunal",
            interactive=False,
            style_function=lambda _: BASE_STYLES["commune"],
        ).add_to(m)
    terr = clean_feature_collection(territories)
    if terr["features"]:
        folium.GeoJson(
            terr,
            name="Territorios",
            style_function=_style,
            marker=folium.CircleMarker(),
            highlight_function=lambda _: {"weight": 3, "color": "#000"},
            tooltip=folium.GeoJsonTooltip(fields=["nombre", "valor"], aliases=["Territorio", "Valor"]),
        ).add_to(m)
        if uv_names:
            uv_name_labels(terr["features"]).add_to(m)
    add_sites(m, base.get("sites"))
    add_facilities(m, base, show=False, radius=4)
    add_reference_layers(m, reference)
    Legend(legend_html + reference_legend_html(base) + reference_layers_legend_html(reference)).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    offline_fullscreen(
        static_prefix, title="Pantalla completa", title_cancel="Salir de pantalla completa"
    ).add_to(m)
    fit_bounds(m, EXTENTS[extent][1])
    return m
