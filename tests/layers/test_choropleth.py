"""The Brechas choropleth rendered to HTML: classes, legend ranges, frame, escaping, offline."""

import re

import pytest

from layers.assets import assert_no_external_urls
from layers.choropleth import build_choropleth, classify, legend_ranges_html
from layers.map import EXTENTS

EMPTY = {"type": "FeatureCollection", "features": []}


def square(x: float, y: float, d: float = 0.01) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


def territories(names_values):
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": square(-70.76 + 0.02 * i, -28.58),
                "properties": {
                    "layer": "unidad_vecinal",
                    "id": i,
                    "nombre": n,
                    "codigo": f"{i:02d}",
                    "clase": c,
                    "valor": str(v),
                },
            }
            for i, (n, v, c) in enumerate(names_values)
        ],
    }


def test_quantile_classes_and_legend_ranges_follow_the_values():
    classes = classify([0, 10, 20, 30, None], "quantiles", k=2)
    assert classes.index == [0, 0, 1, 1, -1]
    assert classes.ranges == [(0.0, 15.0), (20.0, 30.0)]
    html = legend_ranges_html("Iniciativas", classes, lambda v: f"{v:.0f}", has_missing=True)
    assert "0 – 15" in html and "20 – 30" in html and "Sin población" in html


@pytest.mark.parametrize("extent", list(EXTENTS))
def test_the_map_opens_on_the_chosen_frame_without_outside_assets(extent):
    fc = territories([("UV A", 1, 0), ("UV B", 9, 1)])
    html = (
        build_choropleth(
            territories=fc,
            base={"commune": EMPTY, "schools": EMPTY, "health": EMPTY},
            legend_html="<b>Leyenda</b>",
            extent=extent,
        )
        .get_root()
        .render()
    )
    (south, west), (north, east) = EXTENTS[extent][1]
    bounds = re.search(r"fitBounds\(\s*\[\[([-\d.]+), ([-\d.]+)\], \[([-\d.]+), ([-\d.]+)\]\]", html)
    assert bounds and [float(b) for b in bounds.groups()] == [south, west, north, east]
    assert assert_no_external_urls(html) == []


def test_typed_territory_names_are_escaped_in_the_choropleth():
    fc = territories([("{{ 7*7 }} <img src=x onerror=alert(1)>", 1, 0)])
    html = (
        build_choropleth(
            territories=fc, base={"commune": EMPTY, "schools": EMPTY, "health": EMPTY}, legend_html=""
        )
        .get_root()
        .render()
    )
    # JSON in the page writes "&" as \u0026: the name arrives as escaped entities, not as code.
    assert "{{ 7*7 }}" not in html and "\\u0026#123;\\u0026#123; 7*7" in html
    assert "<img src=x" not in html


def test_uv_names_are_written_on_the_map_escaped_when_asked():
    fc = territories([("Carrera", 5, 0), ("{{ 7*7 }} <b>x</b>", 9, 1)])
    for f in fc["features"]:
        f["properties"]["label"] = f["geometry"]["coordinates"][0][0]
    base = {"commune": EMPTY, "schools": EMPTY, "health": EMPTY}
    plain = build_choropleth(territories=fc, base=base, legend_html="").get_root().render()
    assert "sit-uv-label" not in plain  # Brechas keeps its map as it was
    html = build_choropleth(territories=fc, base=base, legend_html="", uv_names=True).get_root().render()
    # The label's HTML arrives JSON-escaped: "<br>" as \u003cbr\u003e.
    assert html.count("sit-uv-label") >= 2 and "UV 00\\u003cbr\\u003eCarrera" in html
    assert "{{ 7*7 }}" not in html and "<b>x</b>" not in html
    # The name is written as text (braces and tags escaped), not evaluated ("49") or rendered.
    # (Not a bare '"49" not in html': folium's random element ids contain it now and then.)
    assert "UV 01\\u003cbr\\u003e\\u0026#123;\\u0026#123; 7*7 \\u0026#125;\\u0026#125; \\u0026lt;b" in html
    assert "UV 01\\u003cbr\\u003e49" not in html


def test_the_missing_class_can_say_sin_montos_informados():
    classes = classify([5, None], "quantiles")
    html = legend_ranges_html("Inversión", classes, str, True, missing_label="sin montos informados")
    assert "sin montos informados" in html and "Sin población" not in html
