"""Every map opens in its frame at once: no glide from folium's start view (layers/view.py)."""

import json
import re

import folium
import pytest

from layers.map import EXTENTS
from layers.needs import build_workshop_map
from layers.projector import build_projector_map
from layers.view import fit_bounds
from tests.layers.test_locale import EMPTY
from tests.layers.test_locale import MAPS as LOCALE_MAPS
from tests.layers.test_needs import UV
from tests.layers.test_projector import ITEMS, NEIGHBOURS, TERRITORY

#: Every map of the app that frames itself, as its builder makes it.
MAPS = {
    **LOCALE_MAPS,
    "proyector": lambda: build_projector_map(territory=TERRITORY, neighbours=NEIGHBOURS, initiatives=ITEMS),
    "taller": lambda: build_workshop_map(
        commune=EMPTY, framed=UV, initiatives=EMPTY, needs=EMPTY, kind_labels={}
    ),
}

FIT = re.compile(r"\.fitBounds\(\s*(\[\[.*?\]\]),\s*(\{.*?\})\s*\);", re.S)


def fits(html: str) -> list[tuple[list, dict]]:
    """Each ``fitBounds(bounds, options)`` call of a rendered map, parsed."""
    return [(json.loads(b), json.loads(o)) for b, o in FIT.findall(html)]


def test_fit_bounds_sets_the_frame_without_animation_and_keeps_the_padding():
    m = folium.Map(location=(-28.578, -70.758), zoom_start=13)
    fit_bounds(m, EXTENTS["comuna"][1], padding=(30, 30))
    ((bounds, options),) = fits(m.get_root().render())
    assert bounds == EXTENTS["comuna"][1]
    assert options == {"animate": False, "padding": [30, 30]}


@pytest.mark.parametrize("name", MAPS)
def test_every_map_frames_itself_at_once(name):
    """Leaflet animates ``fitBounds`` on a map created with a view: a 0.25 s glide, then the
    canvas cleared and every path drawn again (bench/README.md, 2026-12-02)."""
    calls = fits(MAPS[name]().get_root().render())
    assert calls, f"{name}: the map no longer frames itself (update MAPS)"
    assert all(options.get("animate") is False for _, options in calls)
