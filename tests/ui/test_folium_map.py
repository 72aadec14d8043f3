"""``show_folium`` renders a map once: what reaches the browser is what ``st_folium`` sends
after rendering it twice (its default), for the plan's map and for a drawing map."""

import re

import pytest
import streamlit_folium
from streamlit_folium import st_folium

from geo.initiatives import queries as mapdata
from geo.initiatives.filters import MapFilters
from geo.territory.queries import base_layers, territory_features
from layers.editmap import build_edit_map
from layers.initiative_points import encode_initiatives
from layers.map import build_map
from ui.folium_map import show_folium

#: folium names every element with 32 random hex digits: two builds differ only there.
_ID = re.compile(r"[0-9a-f]{32}")


def _sent(monkeypatch, show, m, **kwargs) -> dict:
    """What ``show(m, **kwargs)`` passes to the streamlit-folium frontend, ids blanked."""
    sent: dict = {}

    def component(**args):
        sent.update(args)
        return args.get("default")

    monkeypatch.setattr(streamlit_folium, "_component_func", component)
    show(m, **kwargs)
    return {k: _ID.sub("ID", v) if isinstance(v, str) else v for k, v in sent.items() if not callable(v)}


@pytest.fixture(scope="module")
def layers(engine):
    with engine.connect() as conn:
        base = base_layers(conn)
        territories = territory_features(conn, MapFilters())
        store = encode_initiatives(mapdata.initiative_features(conn, MapFilters(include_archived=True)))
    return base, territories, store


def test_the_plan_map_sends_the_same_whether_rendered_once_or_twice(monkeypatch, layers):
    base, territories, store = layers

    def plan_map():
        return build_map(base=base, territories=territories, initiatives=store, strategies=[(1, "E1", "x")])

    def args(parts):
        return dict(key="mapa", feature_group_to_add=parts.dynamic, layer_control=parts.control)

    twice, once = plan_map(), plan_map()
    sent_twice = _sent(monkeypatch, st_folium, twice.map, **args(twice))
    sent_once = _sent(monkeypatch, show_folium, once.map, **args(once))
    assert sent_once == sent_twice
    assert "sit-territorio" in sent_once["feature_group"] and sent_once["script"]


def test_a_drawing_map_sends_the_same_whether_rendered_once_or_twice(monkeypatch, layers):
    base, territories, _ = layers

    def edit_map():
        return build_edit_map(commune=base["commune"], territories=territories, sites=base["sites"])

    sent_twice = _sent(monkeypatch, st_folium, edit_map(), key="dibujo")
    sent_once = _sent(monkeypatch, show_folium, edit_map(), key="dibujo")
    assert sent_once == sent_twice
    assert "new L.Control.Draw" in sent_once["script"]
