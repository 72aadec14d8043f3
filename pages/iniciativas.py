"""Initiatives page: create and edit initiatives, draw their geometry, place sites sin ubicar."""

import streamlit as st

from geo.initiatives.form import InitiativeInput
from ui import auth
from ui.frame import page_frame
from ui.initiatives import data as editor_data
from ui.initiatives import editor, history
from ui.messages import show_flash
from ui.territory.sites import place_sites_section

filters, version = page_frame(__file__)
st.title("Iniciativas")
show_flash(editor.FLASH)

chosen = editor.pick_initiative(filters, version)
data = None if chosen == editor.NEW else editor_data.initiative(chosen)
if chosen != editor.NEW and data is None:
    st.warning("La iniciativa ya no existe.")
    st.stop()
expected = None if data is None else editor.opened_version(chosen, data["version"])
prefix = f"ed_{chosen}_{expected or 0}"
if data and data["is_demo"]:
    st.caption("⚠️ Dato sintético de demostración")
if data and expected != data["version"]:
    st.warning(
        "Otra persona guardó esta iniciativa después de que usted la abrió; al guardar "
        "se le avisará y nada se perderá.",
        icon=":material/sync_problem:",
    )

choices = editor_data.choices(version)
col_form, col_map = st.columns([5, 6], gap="medium")
with col_form:
    inp = editor.initiative_form(data["input"] if data else InitiativeInput(), prefix, choices)
with col_map:
    inp = editor.geometry_section(data, inp, prefix, version, choices)

editor.conflict_panel(chosen, inp)
if data is None or data["archived_at"] is None:
    editor.save_button(chosen, expected, inp)
if data:
    history.archive_panel(data, expected or data["version"])
    history.history_tables(chosen)

if auth.can("sites"):
    st.divider()
    place_sites_section(version)
