"""The projector's map and the legend beside it: readable sizes, numbers, escaping, no legend inside."""

import re

from layers.assets import assert_no_external_urls
from layers.projector import MIN_FONT_PX, PROJECTOR_DRAWN, build_projector_map, projector_legend_html

HOSTILE = "<img src=x onerror=alert(1)> {{ 7*7 }}"
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[-70.77, -28.59], [-70.76, -28.59], [-70.76, -28.58], [-70.77, -28.58], [-70.77, -28.59]]
    ],
}
TERRITORY = {
    "type": "Feature",
    "geometry": SQUARE,
    "properties": {"label": f"UV 05 · {HOSTILE}", "bounds": [-28.59, -70.77, -28.58, -70.76]},
}
NEIGHBOURS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": SQUARE,
            "properties": {"label": "UV 06 · Baquedano", "punto": [-70.75, -28.57]},
        }
    ],
}
ITEMS = [
    {
        "number": 1,
        "code": "E1.P1",
        "name": HOSTILE,
        "strategy_position": 1,
        "strategy_code": "E1",
        "point": (-70.765, -28.585),
    },
    {
        "number": 2,
        "code": "E3.P2",
        "name": "Sede social",
        "strategy_position": 3,
        "strategy_code": "E3",
        "point": None,
    },
]
STRATEGIES = [(1, "E1", "Desarrollo Territorial"), (3, "E3", "Educación"), (4, "E4", "Salud")]


def test_numbers_and_names_are_large_and_the_map_has_no_legend_inside():
    html = (
        build_projector_map(territory=TERRITORY, neighbours=NEIGHBOURS, initiatives=ITEMS).get_root().render()
    )
    sizes = [int(px) for px in re.findall(r"font:\s*\d{3} (\d+)px", html)]
    assert sizes and min(sizes) >= MIN_FONT_PX
    # Only the initiative with a place gets its number on the map.
    assert html.count('"className": "sit-numero"') == 1 and "\\u003e1\\u003c/div" in html
    assert "sit-legend" not in html  # the legend goes beside the map, never over it
    assert f"setAttribute({PROJECTOR_DRAWN!r}".replace("'", '"') in html.replace("\n", "")
    assert re.search(r'setAttribute\("data-sit-proyector",\s*"1"\)', html)
    assert "imperial: false" in html or '"imperial": false' in html
    assert "{{ 7*7 }}" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; &#123;&#123; 7*7 &#125;&#125;" in html
    assert_no_external_urls(html)


def test_the_legend_lists_the_numbers_marks_those_without_a_place_and_only_the_strategies_there():
    legend = projector_legend_html(STRATEGIES, ITEMS, None, needs=False)
    assert "&lt;img src=x onerror=alert(1)&gt;" in legend and "<img src=x" not in legend
    assert "sin ubicación en el mapa" in legend
    assert "E1 · Desarrollo Territorial" in legend and "E3 · Educación" in legend
    assert "E4" not in legend
    assert (
        re.findall(r"font:(\d+)px", legend) and min(int(x) for x in re.findall(r"font:(\d+)px", legend)) >= 16
    )
    many = [dict(ITEMS[1], number=n) for n in range(1, 21)]
    assert "y 12 más" in projector_legend_html(STRATEGIES, many, None, needs=False, limit=8)
