"""The editor's drawing map: vendored Leaflet.draw, and typed text cannot run code."""

import os

from layers.assets import assert_no_external_urls
from layers.editmap import build_edit_map
from layers.sanitize import clean_markdown

JINJA = "{{ 7*7 }}"
RCE = "{{ cycler.__init__.__globals__.os.getpid() }}"
XSS = "<img src=x onerror=alert(1)>"
EMPTY = {"type": "FeatureCollection", "features": []}


def _render(name: str) -> str:
    territories = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[-70.76, -28.58], [-70.75, -28.58], [-70.75, -28.57], [-70.76, -28.58]]],
                },
                "properties": {"layer": "unidad_vecinal", "id": 1, "codigo": name, "nombre": name},
            }
        ],
    }
    m = build_edit_map(
        commune=EMPTY,
        territories=territories,
        current={"type": "Point", "coordinates": [-70.758, -28.577]},
        current_label=name,
        target=territories,
    )
    return m.get_root().render()


def test_draw_toolbar_is_served_from_the_vendored_files():
    html = _render("Plaza")
    assert "/app/static/vendor/leaflet-draw-1.0.2/leaflet.draw.js" in html
    assert "L.Control.Draw" in html
    assert assert_no_external_urls(html) == []


def test_jinja_in_a_typed_name_is_not_evaluated():
    html = _render(f"Plaza {JINJA} y {RCE}")
    assert "Plaza 49" not in html
    assert str(os.getpid()) not in html.replace(str(os.getpid()) + "0", "")
    # folium writes the properties as JSON, with "&" as \u0026.
    assert "\\u0026#123;\\u0026#123; 7*7 \\u0026#125;\\u0026#125;" in html


def test_html_in_a_typed_name_is_escaped():
    html = _render(f"Sede {XSS}")
    assert XSS not in html
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in html


def test_markdown_in_typed_text_is_shown_not_rendered():
    assert (
        clean_markdown("![x](http://evil.example/a.png)") == "\\!\\[x\\](http\\:\u2060//evil.example/a.png)"
    )
    assert clean_markdown("**Ana**") == "\\*\\*Ana\\*\\*"
    assert clean_markdown(None) == ""
