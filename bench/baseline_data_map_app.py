"""Third baseline for bench_map.py: a title and the Mapa page's map with the same data.

The same queries, ``build_map`` and map call as the Mapa page (demo data shown, all filters
open, the reference layers), without anything else of the page: no router, no sidebar, no
figures, no table. Its first paint is the floor of the Mapa page with this map stack on this
machine: what the map alone costs, and how far the page around it can be cut.
"""

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.initiatives.filters import MapFilters  # noqa: E402
from layers.map import BASEMAPS, build_map  # noqa: E402
from ui import state  # noqa: E402
from ui.collector import freeze_long_lived  # noqa: E402
from ui.plan_map import show_plan_map  # noqa: E402
from ui.reference import reference_layers  # noqa: E402

# As the app does (app.py): the map's page pays no full collection after its run either.
freeze_long_lived()

st.set_page_config(page_title="SIT PLADECO Vallenar", layout="wide")
version = state.data_version()
data = state.map_payload(MapFilters(include_demo=True).key(), version)
st.title("Línea base: el mapa solo")
show_plan_map(
    build_map(
        base=data["base"],
        territories=data["territories"],
        initiatives=state.initiative_store(version),
        selected=data["selected"],
        strategies=data["strategies"],
        basemap=BASEMAPS[next(iter(BASEMAPS))],
        reference=reference_layers(version),
        territory_store=data["territory_store"],
    )
)
