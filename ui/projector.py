"""Modo proyector: the map of one territory for a hall's wall (issue 12).

No sidebar and no page chrome, the map on about two thirds of the screen with the legend
and the numbered initiatives beside it (never over it), 16 px text and up. The screen size
is chosen (1280x720 or 1920x1080) so the map fills it without scrolling; the territory is
chosen on the page or arrives in the address (``?territorio=<id>``, and ``&taller=<id>``
shows that workshop's needs).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from geo.territory.focus import TerritoryFocus, focus_choices, territory_focus
from layers.projector import build_projector_map, projector_legend_html
from layers.sanitize import clean_text
from ui import state
from ui.reference import reference_layers

log = logging.getLogger(__name__)

#: Screen -> height of the map in px (what is left under the top row).
SCREENS: dict[str, int] = {"1280 × 720": 610, "1920 × 1080": 960}
#: Screen -> how many initiatives the list beside the map names (the rest are counted).
LIST_LIMIT: dict[str, int] = {"1280 × 720": 8, "1920 × 1080": 16}
#: Share of the width the map takes (the rest is the legend).
MAP_SHARE = 3
LEGEND_SHARE = 1
#: The page's chrome hidden: Streamlit's header and toolbar, the sidebar and its toggle.
CHROME_CSS = """
<style>
header[data-testid="stHeader"], [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
.block-container, [data-testid="stMainBlockContainer"] {
  padding: 0.4rem 1rem 0 1rem !important; max-width: 100% !important; }
[data-testid="stAppViewContainer"] label, [data-testid="stAppViewContainer"] p { font-size: 16px; }
</style>
"""

ss = st.session_state


def hide_chrome() -> None:
    """No sidebar, header or toolbar on this page (the projector shows the map)."""
    st.markdown(CHROME_CSS, unsafe_allow_html=True)


@st.cache_data(show_spinner=False, max_entries=4)
def choices(version: str) -> list[tuple[int, str]]:
    """The located UVs and localities, as (id, label)."""
    with state.engine().connect() as conn:
        return focus_choices(conn)


@st.cache_data(show_spinner=False, max_entries=32)
def focus(territory_id: int, include_demo: bool, version: str) -> TerritoryFocus:
    """One territory in focus (cached per data version)."""
    with state.engine().connect() as conn:
        return territory_focus(conn, territory_id, include_demo=include_demo)


@st.cache_data(show_spinner=False, max_entries=4)
def strategies(version: str) -> list[tuple[int, str, str]]:
    """(position, code, name) of every strategy."""
    with state.engine().connect() as conn:
        return [
            tuple(r)
            for r in conn.exec_driver_sql("SELECT position, code, name FROM strategy ORDER BY position")
        ]


def _query_int(name: str) -> int | None:
    value = st.query_params.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def chosen_territory(options: list[tuple[int, str]]) -> int | None:
    """The territory's id: the page's choice, first taken from the address when it names one."""
    ids = [i for i, _ in options]
    if "proyector_territorio" not in ss:
        wanted = _query_int("territorio")
        ss["proyector_territorio"] = wanted if wanted in ids else (ids[0] if ids else None)
    labels = dict(options)
    return st.selectbox(
        "Territorio",
        ids,
        format_func=lambda i: labels.get(i, str(i)),
        key="proyector_territorio",
        help="Elija la unidad vecinal o la localidad: el mapa la encuadra y la destaca.",
    )


def show_projector(
    include_demo: bool,
    version: str,
    needs_for: Callable[[int], tuple[dict[str, Any] | None, str | None]] | None = None,
) -> TerritoryFocus | None:
    """Draw the projector page and return the territory shown.

    ``needs_for(territory_id)`` gives (needs GeoJSON, workshop title) when a workshop is chosen.
    """
    hide_chrome()
    options = choices(version)
    if not options:
        st.warning(
            "No hay unidades vecinales ni localidades ubicadas: cargue la capa base (`sit load base`)."
        )
        return None
    top = st.columns([4, 2, 2], vertical_alignment="bottom")
    with top[0]:
        territory_id = chosen_territory(options)
    screen = top[1].selectbox("Pantalla", list(SCREENS), index=0, key="proyector_pantalla")
    with top[2]:
        st.page_link("pages/mapa.py", label="Salir del modo proyector", icon=":material/close_fullscreen:")
    if territory_id is None:
        return None
    f = focus(int(territory_id), include_demo, version)
    needs, workshop = needs_for(f.id) if needs_for else (None, None)
    items = [asdict(i) for i in f.initiatives]
    territory = {
        "type": "Feature",
        "geometry": f.geometry,
        "properties": {"label": f.label, "bounds": list(f.bounds)},
    }
    m = build_projector_map(
        territory=territory,
        neighbours=f.neighbours,
        initiatives=items,
        reference=reference_layers(),
        needs=needs,
    )
    col_map, col_legend = st.columns([MAP_SHARE, LEGEND_SHARE], gap="small")
    with col_map:
        st_folium(
            m,
            height=SCREENS[screen],
            use_container_width=True,
            key=f"proyector_mapa_{SCREENS[screen]}",
            returned_objects=[],
        )
    with col_legend:
        st.markdown(
            projector_legend_html(
                strategies(version), items, reference_layers(), needs=bool(needs), limit=LIST_LIMIT[screen]
            ),
            unsafe_allow_html=True,
        )
        if f.population is not None:
            st.markdown(
                f'<div style="font:16px/1.35 sans-serif;margin-top:10px">Población: '
                f"<b>{f.population:,}</b>".replace(",", ".")
                + (f" ({clean_text(f.population_source)})" if f.population_source else "")
                + "</div>",
                unsafe_allow_html=True,
            )
        if workshop:
            st.markdown(
                f'<div style="font:16px/1.35 sans-serif">Taller: {clean_text(workshop)}</div>',
                unsafe_allow_html=True,
            )
    return f
