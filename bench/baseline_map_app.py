"""Second baseline for bench_map.py: a title and the map stack with nothing on it.

The same ``build_map`` and ``st_folium`` call as the Mapa page, with no territories, no
initiatives and no sidebar: what streamlit-folium, its iframe and Leaflet cost before any
of the plan's data (the floor of every page with a map, on this machine). Streamlit serves
``static/`` from the main script's folder: ``bench/static`` is a link to the project's.
"""

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from layers.map import build_map  # noqa: E402
from ui.collector import freeze_long_lived  # noqa: E402
from ui.plan_map import show_plan_map  # noqa: E402

# As the app does (app.py): the map's page pays no full collection after its run either.
freeze_long_lived()

EMPTY = {"type": "FeatureCollection", "features": []}

st.set_page_config(page_title="SIT PLADECO Vallenar", layout="wide")
st.title("Línea base con mapa")
show_plan_map(
    build_map(
        base={k: EMPTY for k in ("commune", "urban", "schools", "health")},
        territories=EMPTY,
        initiatives=EMPTY,
        strategies=[],
    )
)
