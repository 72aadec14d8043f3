"""Person-typed text cannot run code on the server (Jinja) nor in the browser (HTML)."""

import os

from layers.map import build_map
from layers.sanitize import clean_text

JINJA = "{{ 7*7 }}"
RCE = "{{ cycler.__init__.__globals__.os.getpid() }}"
XSS = "<img src=x onerror=alert(1)>"


def _fc(props):
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-70.758, -28.577]},
                "properties": props,
            }
        ],
    }


def _render(name: str) -> str:
    empty = {"type": "FeatureCollection", "features": []}
    base = {
        "commune": empty,
        "urban": empty,
        "schools": _fc({"nombre": name, "tipo": name, "estado": name}),
        "health": empty,
    }
    territories = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[-70.76, -28.58], [-70.75, -28.58], [-70.75, -28.57], [-70.76, -28.58]]],
                },
                "properties": {
                    "layer": "unidad_vecinal",
                    "id": 1,
                    "codigo": "01",
                    "nombre": name,
                    "sector": "Urbano",
                    "iniciativas": 0,
                    "label": [-70.755, -28.575],
                },
            }
        ],
    }
    initiatives = _fc(
        {
            "layer": "iniciativa",
            "id": 1,
            "codigo": name,
            "nombre": name,
            "estado": "Idea",
            "monto": "$ 1",
            "pos": 1,
        }
    )
    strategies = [(1, "E1", name)]
    parts = build_map(base=base, territories=territories, initiatives=initiatives, strategies=strategies)
    return parts.whole().get_root().render()


def test_jinja_in_a_name_is_not_evaluated():
    html = _render(f"Plaza {JINJA} y {RCE}")
    assert "Plaza 49" not in html
    assert str(os.getpid()) not in html.replace(str(os.getpid()) + "0", "")
    assert "&#123;&#123; 7*7 &#125;&#125;" in html


def test_html_in_a_name_is_escaped_everywhere():
    html = _render(f"Sede {XSS}")
    assert XSS not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_clean_text_keeps_plain_spanish_text():
    assert clean_text("Avda. Huasco (ladera) – Ñandú 50%") == "Avda. Huasco (ladera) – Ñandú 50&#37;"
    assert clean_text(None) == ""


def test_markdown_escaping_covers_latex_bare_urls_and_directives():
    from layers.sanitize import clean_markdown

    out = clean_markdown("$x^2$ http://203.0.113.1 www.ejemplo.cl ana@ejemplo.cl :red[x] &#33;")
    wj = "\u2060"  # bare addresses are linked after escapes are read: a word joiner breaks them
    assert out == (
        f"\\$x^2\\$ http\\:{wj}//203.0.113.1 www{wj}.ejemplo.cl ana\\@{wj}ejemplo.cl \\:red\\[x\\] \\&\\#33;"
    )
    assert "://" not in out and "www." not in out.lower() and "@e" not in out
