"""The workshop's map: needs by kind, the count the browser waits for, vendored Draw, inert text."""

import os

from geo.domain import NEED_KINDS
from layers.assets import assert_no_external_urls
from layers.needs import (
    NEED_COLOURS,
    NEEDS_ATTRIBUTE,
    build_workshop_map,
    need_style,
    needs_feature_collection,
)

RCE = "{{ cycler.__init__.__globals__.os.getpid() }}"
XSS = "<img src=x onerror=alert(1)>"
EMPTY = {"type": "FeatureCollection", "features": []}
UV = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[-70.76, -28.58], [-70.75, -28.58], [-70.75, -28.57], [-70.76, -28.58]]],
            },
            "properties": {"id": 1, "kind": "unidad_vecinal", "code": "05", "label": "UV 05 · Carrera"},
        }
    ],
}


def need(nid: int, kind: str, body: str, state: str = "aceptada") -> dict:
    return {
        "id": nid,
        "kind": kind,
        "text": body,
        "votes": 3,
        "state": state,
        "strategy_code": None,
        "geometry": {"type": "Point", "coordinates": [-70.755, -28.575]},
    }


def render(needs: list[dict], draw: bool = True) -> str:
    m = build_workshop_map(
        commune=EMPTY,
        framed=UV,
        initiatives=EMPTY,
        needs=needs_feature_collection(needs, NEED_KINDS),
        kind_labels=NEED_KINDS,
        draw=draw,
    )
    return m.get_root().render()


def test_typed_text_of_a_need_is_escaped_and_never_evaluated():
    html = render([need(1, "problema", f"{RCE} {XSS} {{{{ 7*7 }}}}")])
    assert str(os.getpid()) not in html.replace(str(os.getpid()) + "0", "")
    # folium writes the properties as JSON, with "&" as \u0026.
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in html and XSS not in html
    assert "\\u0026#123;\\u0026#123; 7*7 \\u0026#125;\\u0026#125;" in html and " 49 " not in html


def test_the_map_says_how_many_needs_it_draws_and_uses_only_vendored_assets():
    html = render([need(1, "problema", "Luminaria"), need(2, "valor", "Plaza")])
    assert f'"{NEEDS_ATTRIBUTE}", "2"' in html
    assert "leaflet.draw.js" in html
    assert_no_external_urls(html)
    assert "leaflet.draw.js" not in render([need(1, "problema", "Luminaria")], draw=False)


def test_each_kind_has_its_colour_and_a_pending_need_is_grey_and_dashed():
    assert {need_style(k)["color"] for k in NEED_KINDS} == set(NEED_COLOURS.values())
    pending = need_style("problema", "pendiente")
    assert pending["color"] != NEED_COLOURS["problema"] and pending["dashArray"]
    assert "Pendiente de revisión" in render([need(1, "propuesta", "x", "pendiente")])
