"""``show_folium`` renders a map once: what reaches the browser is what ``st_folium`` sends
after rendering it twice (its default), for the plan's map and for a drawing map; and branca
no longer compiles text without Jinja in it, with the same result."""

import copy
import json
import re

import branca.element
import jinja2
import pytest
import streamlit_folium
from streamlit_folium import st_folium

from geo.initiatives import queries as mapdata
from geo.initiatives.filters import MapFilters
from geo.territory.queries import base_layers, territory_features
from layers.editmap import build_edit_map
from layers.initiative_points import encode_initiatives
from layers.map import build_map
from ui import folium_map
from ui.folium_map import LiteralTemplate, branca_template, show_folium

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


def _one_set_icon(script: str) -> str:
    """``script`` with each marker's ``setIcon`` call once, runs of blank lines as one.

    Rendering the map twice attaches every DivIcon (the UVs' names) a second time, with a
    second, identical call and its blank lines.
    """
    seen: set[str] = set()
    out = []
    for line in script.split("\n"):
        if ".setIcon(" in line:
            if line in seen:
                continue
            seen.add(line)
        out.append(line)
    return re.sub(r"\n(\s*\n)+", "\n\n", "\n".join(out))


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

    twice, once = plan_map(), plan_map()
    sent_twice = _sent(monkeypatch, st_folium, twice.map, key="mapa")
    sent_once = _sent(monkeypatch, show_folium, once.map, key="mapa")
    calls = [line for line in sent_once["script"].split("\n") if ".setIcon(" in line]
    assert calls and len(calls) == len(set(calls))  # once each when rendered once
    assert {**sent_once, "script": _one_set_icon(sent_once["script"])} == {
        **sent_twice,
        "script": _one_set_icon(sent_twice["script"]),
    }
    assert "sit-uv-label" in sent_once["script"]
    # Nothing of the map depends on the filters: its selection goes beside it (the counts and
    # colours of the territories, a bitset of initiatives), without a shape.
    first = territories["features"][0]["geometry"]["coordinates"][0][0]
    corner = json.dumps(first[0] if isinstance(first[0], list) else first)
    assert sent_once["feature_group"] is None and sent_once["layer_control"] is None
    assert "sitSelection.attach" in sent_once["script"]
    selection = json.loads(once.selection)
    assert set(selection) == {"territories", "initiatives", "shading", "bits"}
    assert corner not in once.selection and len(once.selection) < 10_000


def test_a_drawing_map_sends_the_same_whether_rendered_once_or_twice(monkeypatch, layers):
    base, territories, _ = layers

    def edit_map():
        return build_edit_map(commune=base["commune"], territories=territories, sites=base["sites"])

    sent_twice = _sent(monkeypatch, st_folium, edit_map(), key="dibujo")
    sent_once = _sent(monkeypatch, show_folium, edit_map(), key="dibujo")
    assert sent_once == sent_twice
    assert "new L.Control.Draw" in sent_once["script"]


@pytest.mark.parametrize(
    "source",
    [
        "",
        "\n",
        "var a = {b: 1};\n",
        "línea 1\r\nlínea 2\r\n",
        "a\rb\n\n",
        "x\n\n\n",
        "<style>.sit {color: red} 50% { }</style>",
        "{ a: { b } }",
    ],
)
def test_text_without_jinja_renders_as_jinja_renders_it(source):
    assert isinstance(branca_template(source), LiteralTemplate)
    assert branca_template(source).render(this=None, kwargs={}) == jinja2.Template(source).render()


@pytest.mark.parametrize("source", ["{{ 7*7 }}", "{% if true %}x{% endif %}", "a {# c #} b"])
def test_text_with_jinja_is_still_compiled(source):
    assert branca_template(source).render() == jinja2.Template(source).render()


def _hostile(territories: dict) -> dict:
    """The territories with a name a person could type: Jinja, HTML and a newline."""
    fc = copy.deepcopy(territories)
    fc["features"][0]["properties"]["name"] = "{{ 7*7 }} {% raw %}<script>alert(1)</script>\r\nUV"
    return fc


def test_the_plan_map_sends_the_same_as_when_branca_compiled_every_text(monkeypatch, layers):
    base, territories, store = layers
    territories = _hostile(territories)

    def sent(template) -> dict:
        monkeypatch.setattr(branca.element, "Template", template)
        parts = build_map(base=base, territories=territories, initiatives=store, strategies=[(1, "E1", "x")])
        return _sent(monkeypatch, show_folium, parts.map, key="mapa")

    assert sent(branca_template) == sent(jinja2.Template)
    assert "{{ 7*7 }}" not in str(sent(branca_template))  # the sanitiser still neutralises it


def test_showing_the_plan_map_again_compiles_no_template(monkeypatch, layers):
    base, territories, store = layers
    folium_map.remember_templates()

    def show() -> None:
        parts = build_map(base=base, territories=territories, initiatives=store, strategies=[(1, "E1", "x")])
        _sent(monkeypatch, show_folium, parts.map, key="mapa")

    show()
    compiled = []
    real = jinja2.Environment.compile

    def counting(self, *args, **kwargs):
        compiled.append(args[0][:60] if args and isinstance(args[0], str) else "?")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    show()
    assert compiled == []


def test_the_plan_map_sends_the_same_with_each_class_name_spelled_once(monkeypatch, layers):
    import branca.utilities

    base, territories, store = layers

    def sent(spell) -> dict:
        monkeypatch.setattr(branca.element, "_camelify", spell)
        parts = build_map(base=base, territories=territories, initiatives=store, strategies=[(1, "E1", "x")])
        return _sent(monkeypatch, show_folium, parts.map, key="mapa")

    assert sent(folium_map._snake_case) == sent(branca.utilities._camelify)
    assert folium_map._snake_case.cache_info().hits > 0  # the memo is what was used
