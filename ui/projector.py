"""Modo proyector: the map of one territory for a hall's wall (issue 12).

No sidebar and no page chrome, the map on about two thirds of the screen with the legend
and the numbered initiatives beside it (never over it), 16 px text and up. The screen size
is chosen (1280x720 or 1920x1080) so the map fills it without scrolling; the territory is
chosen on the page or arrives in the address (``?territorio=<id>``, and ``&taller=<id>``
shows that workshop's needs, refreshed every few seconds).
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

import streamlit as st

from geo.domain import NEED_KINDS, format_int
from geo.territory.focus import TerritoryFocus, located_territories, territory_focus
from geo.workshops.queries import workshop_detail, workshop_list, workshop_needs, workshop_stamp
from layers.needs import needs_feature_collection
from layers.projector import build_projector_map, projector_legend_html
from layers.sanitize import clean_text
from ui import state
from ui.folium_map import show_folium
from ui.participation import participation_qr
from ui.reference import reference_layers
from ui.workshops import workshop_label

log = logging.getLogger(__name__)

#: Screen -> height of the map in px (what is left under the top row).
SCREENS: dict[str, int] = {"1280 × 720": 610, "1920 × 1080": 960}
#: Screen -> how many initiatives the list beside the map names (the rest are counted).
LIST_LIMIT: dict[str, int] = {"1280 × 720": 8, "1920 × 1080": 16}
#: How often the wall looks for new needs of the chosen workshop.
REFRESH = "5s"
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
        return [(i, label) for i, _, label in located_territories(conn)]


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
    # An address that names a territory (and a workshop) wins once, when it is new: the
    # «Proyectar» link of Talleres, also after the projector was used for another one.
    address = (st.query_params.get("territorio"), st.query_params.get("taller"))
    if address != ss.get("_proyector_address"):
        ss["_proyector_address"] = address
        if _query_int("territorio") in ids:
            ss["proyector_territorio"] = _query_int("territorio")
            ss.pop("proyector_taller", None)
    if ss.get("proyector_territorio") not in ids:
        ss["proyector_territorio"] = ids[0] if ids else None
    labels = dict(options)
    return st.selectbox(
        "Territorio",
        ids,
        format_func=lambda i: labels.get(i, str(i)),
        key="proyector_territorio",
        help="Elija la unidad vecinal o la localidad: el mapa la encuadra y la destaca.",
    )


def chosen_workshop(territory_id: int) -> dict[str, Any] | None:
    """The workshop whose needs are shown: one of those covering the territory, or none."""
    with state.engine().connect() as conn:
        covering = [w for w in workshop_list(conn) if territory_id in w["territory_ids"]]
    if "proyector_taller" not in ss:
        wanted = _query_int("taller")
        ss["proyector_taller"] = wanted if wanted in [w["id"] for w in covering] else None
    by_id = {w["id"]: w for w in covering}
    if ss.get("proyector_taller") not in (None, *by_id):
        ss["proyector_taller"] = None  # another territory was chosen
    choice = st.selectbox(
        "Taller",
        [None, *by_id],
        format_func=lambda i: "Sin taller (solo el plan)" if i is None else workshop_label(by_id[i]),
        key="proyector_taller",
        help="Las necesidades del taller elegido se ven en el mapa y se actualizan solas.",
    )
    return by_id.get(choice) if choice is not None else None


@st.cache_data(show_spinner=False, max_entries=16)
def workshop_needs_fc(workshop_id: int, stamp: str) -> dict[str, Any]:
    """The accepted needs of a workshop as GeoJSON (cached per :func:`workshop_stamp`)."""
    with state.engine().connect() as conn:
        needs = [n for n in workshop_needs(conn, workshop_id) if n["state"] == "aceptada"]
    return needs_feature_collection(needs, NEED_KINDS)


def show_projector(include_demo: bool, version: str) -> TerritoryFocus | None:
    """Draw the projector page and return the territory shown.

    With a workshop chosen, the map and its legend are a fragment that reruns every
    :data:`REFRESH` and redraws when the workshop's needs change (a need recorded on
    «Talleres» or accepted from a phone appears on the wall without touching it).
    """
    hide_chrome()
    options = choices(version)
    if not options:
        st.warning(
            "No hay unidades vecinales ni localidades ubicadas: cargue la capa base (`sit load base`)."
        )
        return None
    top = st.columns([4, 3, 2, 2], vertical_alignment="bottom")
    with top[0]:
        territory_id = chosen_territory(options)
    if territory_id is None:
        return None
    with top[1]:
        workshop = chosen_workshop(int(territory_id))
    screen = top[2].selectbox("Pantalla", list(SCREENS), index=0, key="proyector_pantalla")
    with top[3]:
        st.page_link("pages/mapa.py", label="Salir del modo proyector", icon=":material/close_fullscreen:")
    f = focus(int(territory_id), include_demo, version)

    @st.fragment(run_every=REFRESH if workshop else None)
    def wall() -> None:
        needs, code = None, None
        if workshop is not None:
            with state.engine().connect() as conn:
                stamp = workshop_stamp(conn, workshop["id"])
                now = workshop_detail(conn, workshop["id"]) or workshop
            needs = workshop_needs_fc(workshop["id"], stamp)
            # Residents' phones (issue 12): the QR and the short code while participation is open.
            code = now["participation_code"] if now["participation_open"] else None
        draw_wall(f, screen, version, needs, code)

    wall()
    return f


def draw_wall(
    f: TerritoryFocus, screen: str, version: str, needs: dict[str, Any] | None, code: str | None = None
) -> None:
    """The map (with the needs, when given) and, beside it, the legend and the numbered list.

    With ``code`` (participation open), the phones' QR and short code come first.
    """
    items = [asdict(i) for i in f.initiatives]
    reference = reference_layers(version)
    territory = {
        "type": "Feature",
        "geometry": f.geometry,
        "properties": {"label": f.label, "bounds": list(f.bounds)},
    }
    m = build_projector_map(
        territory=territory,
        neighbours=f.neighbours,
        initiatives=items,
        reference=reference,
        needs=needs,
    )
    col_map, col_legend = st.columns([MAP_SHARE, LEGEND_SHARE], gap="small")
    with col_map:
        show_folium(
            m,
            height=SCREENS[screen],
            use_container_width=True,
            key=f"proyector_mapa_{SCREENS[screen]}",
            returned_objects=[],
        )
    with col_legend:
        if code:
            participation_qr(code)
        st.markdown(
            projector_legend_html(
                strategies(version),
                items,
                reference,
                needs=needs is not None,
                limit=LIST_LIMIT[screen] // 2 if code else LIST_LIMIT[screen],
                need_kinds=NEED_KINDS,
            ),
            unsafe_allow_html=True,
        )
        if f.population is not None:
            source = f" ({clean_text(f.population_source)})" if f.population_source else ""
            st.markdown(
                f'<div style="font:16px/1.35 sans-serif;margin-top:10px">Población: '
                f"<b>{format_int(f.population)}</b>{source}</div>",
                unsafe_allow_html=True,
            )
        if needs is not None:
            n = len(needs["features"])
            st.markdown(
                f'<div style="font:16px/1.35 sans-serif;margin-top:6px">Necesidades en el mapa: '
                f"<b>{format_int(n)}</b></div>",
                unsafe_allow_html=True,
            )
