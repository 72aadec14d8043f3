"""Leaflet's controls and the drawing tools in Spanish, metric scale only, nothing fetched."""

import json
import re

import pytest

from layers.assets import VENDOR_DIR, assert_no_external_urls
from layers.choropleth import build_choropleth
from layers.editmap import build_edit_map
from layers.locale import DRAW_LOCAL_ES
from layers.map import build_map

EMPTY = {"type": "FeatureCollection", "features": []}
BASE = {"commune": EMPTY, "urban": EMPTY, "schools": EMPTY, "health": EMPTY}

MAPS = {
    "mapa": lambda: build_map(base=BASE, territories=EMPTY, initiatives=EMPTY, strategies=[]).whole(),
    "brechas": lambda: build_choropleth(territories=EMPTY, base=BASE, legend_html=""),
    "editmap": lambda: build_edit_map(commune=EMPTY, territories=EMPTY),
}


def leaf_paths(obj, prefix=()):
    for key, value in obj.items():
        if isinstance(value, dict):
            yield from leaf_paths(value, (*prefix, key))
        else:
            yield (*prefix, key), value


def vendored_draw_local() -> dict:
    """``L.drawLocal`` as the vendored leaflet.draw.js defines it (a JS object literal)."""
    js = (VENDOR_DIR / "leaflet-draw-1.0.2" / "leaflet.draw.js").read_text(encoding="utf-8")
    start = js.index("L.drawLocal={") + len("L.drawLocal=")
    depth = 0
    for end in range(start, len(js)):
        depth += {"{": 1, "}": -1}.get(js[end], 0)
        if depth == 0:
            break
    literal = js[start : end + 1]
    return json.loads(re.sub(r"([{,])([A-Za-z]+):", r'\1"\2":', literal))


@pytest.mark.parametrize("which", list(MAPS))
def test_zoom_buttons_in_spanish_and_a_metric_only_scale(which):
    html = MAPS[which]().get_root().render()
    assert 'zoomInTitle: "Acercar"' in html and 'zoomOutTitle: "Alejar"' in html
    assert "L.control.scale({metric: true, imperial: false})" in html
    assert "L.control.scale()" not in html  # folium's own scale shows miles
    assert '"zoomControl": false' in html  # folium's English zoom buttons are not created
    assert '"Capas"' in html and '"Biblioteca JavaScript para mapas interactivos"' in html
    # The Spanish zoom control is added before any other control (it stays on top).
    first_control = min(
        html.find(marker) for marker in ("L.control.layers", "L.control.fullscreen", "new L.Control.Draw")
        if marker in html
    )  # fmt: skip
    assert html.find("L.control.zoom(") < first_control
    assert assert_no_external_urls(html) == []


def test_every_leaflet_draw_string_is_translated():
    ours = dict(leaf_paths(DRAW_LOCAL_ES))
    theirs = dict(leaf_paths(vendored_draw_local()))
    assert len(theirs) == 38  # the parser read the whole object of Leaflet.draw 1.0.2
    missing = set(theirs) - set(ours)
    assert missing == set()
    untranslated = [path for path, text in theirs.items() if ours[path] == text]
    assert untranslated == []
    assert DRAW_LOCAL_ES["format"]["numeric"]["delimiters"] == {"thousands": ".", "decimal": ","}


def test_drawing_map_sets_spanish_words_before_creating_the_draw_control():
    html = MAPS["editmap"]().get_root().render()
    merge = html.find("(L.drawLocal, ")
    assert 0 < merge < html.find("new L.Control.Draw(")
    assert "Dibujar un punto" in html and "Haga clic en el mapa para ubicar el punto." in html
    assert '"metric": true' in html and '"feet": false' in html
