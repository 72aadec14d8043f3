"""Reference layers on the maps: switchable, off at first, escaped, with legend rows."""

import base64
import gzip
import json
import re

import pytest

from layers.assets import assert_no_external_urls
from layers.choropleth import build_choropleth
from layers.map import build_map
from layers.reference_layers import STYLES, encode_reference

EMPTY = {"type": "FeatureCollection", "features": []}
HOSTILE = "<img src=x onerror=alert(1)> {{ 7*7 }}"


def layer(code, title, *features):
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "layer": code,
                    "capa": title,
                    "nombre": name,
                    "detalle": "",
                    "fuente": "SENAPRED",
                },
            }
            for name, geometry in features
        ],
    }


REFERENCE = {
    "punto_critico": layer(
        "punto_critico",
        "Puntos críticos de invierno 2024 (SENAPRED)",
        ("Chamonate", {"type": "Point", "coordinates": [-70.79, -28.56]}),
        (HOSTILE, {"type": "Point", "coordinates": [-70.76, -28.58]}),
    ),
    "canal": layer(
        "canal",
        "Canales de riego (CNR)",
        ("Perales", {"type": "LineString", "coordinates": [[-70.8, -28.6], [-70.7, -28.5]]}),
    ),
    "rio": EMPTY,
}
BASE = {"commune": EMPTY, "urban": EMPTY, "schools": EMPTY, "health": EMPTY}


def render_main(encoded):
    parts = build_map(
        base=BASE, territories=EMPTY, initiatives=EMPTY, strategies=[(1, "E1", "T")], reference=encoded
    )
    return parts.whole().get_root().render()


def render_choropleth(encoded):
    return (
        build_choropleth(territories=EMPTY, base=BASE, legend_html="<b>x</b>", reference=encoded)
        .get_root()
        .render()
    )


@pytest.mark.parametrize("render", [render_main, render_choropleth])
def test_each_layer_is_in_the_control_off_at_first_with_a_hidden_legend_row(render):
    encoded = encode_reference(REFERENCE)
    assert [code for code, _ in encoded.titles] == ["punto_critico", "canal"]  # an empty layer is left out
    html = render(encoded)
    for title in ("Puntos críticos de invierno 2024 (SENAPRED)", "Canales de riego (CNR)"):
        assert json.dumps(title) in html  # named in the layer control
    # Off at first: folium adds a group to the map only when shown.
    groups = re.findall(r"var (feature_group_\w+) = L\.featureGroup", html)
    attached = re.findall(r"window\.sitReference\.attach\([^,]+, [^,]+,\s*(feature_group_\w+)", html)
    assert len(attached) == 2 and set(attached) <= set(groups)
    for name in attached:
        assert f"{name}.addTo(" not in html
    # The data and the decoder travel once.
    assert html.count("window.sitReference = {") == 1
    assert html.count(encoded.data) == 1
    rows = re.findall(r'<div data-sit-capa="(\w+)" hidden>', html)
    assert rows == ["punto_critico", "canal"]
    assert "data-sit-capas hidden" in html
    assert_no_external_urls(html)


def test_typed_text_reaches_the_page_escaped_and_inert():
    encoded = encode_reference(REFERENCE)
    html = render_main(encoded)
    assert "7*7" not in html and "49" not in encoded.data  # only base64 in the page
    decoded = json.loads(gzip.decompress(base64.b64decode(encoded.data)))
    names = [f["properties"]["nombre"] for f in decoded["punto_critico"]["features"]]
    assert names[1] == "&lt;img src=x onerror=alert(1)&gt; &#123;&#123; 7*7 &#125;&#125;"


def test_every_layer_of_the_domain_has_its_own_look():
    from geo.domain import REFERENCE_LAYERS

    assert set(STYLES) == set(REFERENCE_LAYERS)
    colours = [s.colour for code, s in STYLES.items() if code not in ("zona_prc", "limite_urbano_prc")]
    assert len(set(colours)) == len(colours)


def test_no_reference_means_nothing_added():
    html = render_main(None)
    assert "sitReference" not in html and "data-sit-capa" not in html
