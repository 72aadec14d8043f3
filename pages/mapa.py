"""Map page: the PLADECO on the territory, filtered by the shared sidebar filters."""

import streamlit as st

from geo.domain import format_clp, format_clp_millions, format_int
from layers.map import BASEMAPS, build_map
from layers.sanitize import clean_markdown
from ui import auth, frame, navigation, state
from ui.frame import page_frame
from ui.initiatives.details import show_initiative, show_territory
from ui.paged_table import paged_table
from ui.plan_map import show_plan_map
from ui.reference import reference_layers

filters, version = page_frame(__file__)
data = state.map_payload(filters.key(), version)
store = state.initiative_store(version)
table = data["table"]

st.title("Mapa del PLADECO 2014-2017")
n_total = len(table)
n_drawn = len(data["selected"])
n_linked = int((table["territory_count"] > 0).sum()) if n_total else 0
n_comunal = int((table["scope"] == "comunal").sum()) if n_total else 0
known = table["total_clp"].dropna()
#: Heights (px) of the row of figures and of the base map's choice: in a map-first visit
#: (ui.frame) a space keeps each one's place, so the map does not move when they come.
FIGURES_HEIGHT = 76
BASEMAP_HEIGHT = 68
map_first = frame.map_first()
if map_first:
    st.space(FIGURES_HEIGHT)
else:
    c1, c2, c3, c4, c5 = st.columns(5)
    c1.metric("Iniciativas filtradas", format_int(n_total))
    c2.metric("Dibujadas en el mapa", format_int(n_drawn), help="Iniciativas con geometría propia.")
    c3.metric("Vinculadas a territorios", format_int(n_linked))
    c4.metric("De alcance comunal", format_int(n_comunal))
    c5.metric(
        "Inversión informada",
        format_clp_millions(known.sum()) if len(known) else "Sin datos",
        help=f"{format_clp(known.sum()) if len(known) else 'Sin información'}: suma de "
        f"{len(known)} iniciativas con montos informados en sus líneas de financiamiento; "
        "el resto no tiene montos informados.",
    )


def map_and_details() -> None:
    col_map, col_detail = st.columns([7, 4], gap="medium")
    with col_map:
        if map_first:
            st.space(BASEMAP_HEIGHT)
            basemap = st.session_state.get("basemap", next(iter(BASEMAPS)))
        else:
            basemap = st.selectbox("Mapa base", list(BASEMAPS), key="basemap")
        parts = build_map(
            base=data["base"],
            territories=data["territories"],
            initiatives=store,
            selected=data["selected"],
            strategies=data["strategies"],
            basemap=BASEMAPS[basemap],
            reference=reference_layers(version),
            territory_store=data["territory_store"],
        )
        out = show_plan_map(parts)
    with col_detail:
        clicked = (out or {}).get("last_active_drawing") or {}
        props = clicked.get("properties") or {}
        if props.get("layer") == "iniciativa":
            show_initiative(int(props["id"]))
        elif props.get("layer") in ("unidad_vecinal", "localidad", "sitio"):
            show_territory(int(props["id"]), filters, version)
        else:
            st.info(
                "Haga clic en una unidad vecinal, una localidad, un sitio del plan o una "
                "iniciativa para ver su detalle. Los territorios se colorean según cuántas "
                "iniciativas filtradas tienen vinculadas."
            )


# Not a fragment: the map's first report must rerun the whole app (ui/frame.py), and a map
# that moved into a fragment in the next run would be a new iframe, drawn again.
map_and_details()
if map_first:
    frame.rest_after_map()

q = state.quality(version)
with st.expander(
    f"Calidad de datos: {len(q.unlocated_sites)} sitios sin ubicar · "
    f"{q.localized_without_territory} iniciativas localizadas sin territorio · "
    f"{q.demo_initiatives} de demostración"
):
    st.write(
        "Sitios que el plan nombra y aún no tienen ubicación (no se inventan "
        "coordenadas): " + clean_markdown(", ".join(s["name"] for s in q.unlocated_sites)) + "."
    )
    st.write(
        f"{q.commune_wide} iniciativas son de alcance comunal y {q.outside_commune} se "
        "ejecuta(n) fuera de la comuna: no se asignan a un territorio."
    )
    if navigation.visible("pages/calidad.py"):
        st.page_link("pages/calidad.py", label="Ver el detalle en «Calidad de datos»", icon=":material/rule:")

st.subheader(f"Iniciativas filtradas ({format_int(n_total)})")
paged_table(
    data["view"],
    key="mapa_tabla_pagina",
    sort_keys={"Monto": table["total_clp"]},
    label="Iniciativas filtradas",
)
if auth.can("reports"):
    st.download_button(
        "Descargar iniciativas filtradas (CSV)",
        data["csv"],
        file_name="iniciativas_filtradas.csv",
        mime="text/csv",
        icon=":material/download:",
    )
