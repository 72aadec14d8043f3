"""Talleres participativos: workshops, residents' needs drawn on the map, needs versus the plan."""

import streamlit as st

from geo.workshops.queries import workshop_needs, workshop_stamp
from layers.sanitize import clean_markdown
from ui import auth, needs, state, workshops
from ui.capture import capture_import_panel
from ui.frame import page_frame
from ui.messages import show_flash
from ui.participation import participation_panel
from ui.reports import workshop_acta_button, workshop_kit_buttons
from ui.state import engine

_, version = page_frame(__file__)  # the data version the router read this run
st.title("Talleres participativos")
st.caption(
    "Diagnóstico participativo: las necesidades que los vecinos marcan en el mapa (problemas, "
    "propuestas y valores), por estrategia del PLADECO, y qué iniciativas del plan las responden."
)
show_flash(workshops.FLASH)
can_write = auth.can("workshops")

if can_write:
    with st.expander("Nuevo taller", expanded=False):
        workshops.new_workshop_form()

w = workshops.choose_workshop()
if w is None:
    st.info("Aún no hay talleres registrados." + (" Cree el primero en «Nuevo taller»." if can_write else ""))
    st.stop()

workshops.workshop_header(w)
with engine().connect() as conn:
    need_rows = workshop_needs(conn, w["id"])
open_for_needs = can_write and w["state"] == "abierto"

col_map, col_form = st.columns([3, 2], gap="medium")
with col_map:
    drawn = workshops.workshop_map(w, need_rows, can_draw=open_for_needs)
with col_form:
    if open_for_needs:
        needs.new_need_form(w, drawn)
    elif can_write:
        st.info("El taller está cerrado: sus necesidades quedan como se cerraron.")

st.markdown("#### Necesidades del taller")
needs.needs_table(need_rows)
needs.need_panel(w, need_rows, drawn)

st.markdown("#### Por territorio: lo que piden los vecinos y lo que responde el plan")
# The workshop's territories and those its needs lie in (a need may fall next door).
workshops.needs_summary(
    sorted(set(w["territory_ids"]) | {n["territory_id"] for n in need_rows if n["territory_id"]})
)

with st.expander("Acta del taller (PDF)"):
    st.caption(
        "Asistencia, organizaciones, necesidades por tipo y estrategia con el mapa, las necesidades "
        "frente al plan y el informe de cierre; siempre con los datos de este momento."
    )
    with state.engine().connect() as conn:
        stamp = workshop_stamp(conn, w["id"])
    workshop_acta_button(w["id"], stamp)

with st.expander("Kit en papel y planilla de captura"):
    for territory_id, label in zip(w["territory_ids"], w["territories"], strict=True):
        st.markdown(f"**{clean_markdown(label)}**")
        workshop_kit_buttons(w["id"], territory_id, label, version)
    if open_for_needs:
        st.markdown("**Importar una planilla de captura llenada**")
        capture_import_panel(w["id"])

if can_write:
    with st.expander("Participación por teléfono", expanded=w["participation_open"] or w["pending"] > 0):
        participation_panel(w["id"])
    with st.expander("Editar el taller"):
        workshops.edit_workshop_form(w)
    if w["state"] == "abierto":
        with st.expander("Cerrar el taller"):
            workshops.close_workshop_form(w)
