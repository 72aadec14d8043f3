"""SIT PLADECO Vallenar: router and frame (pages, shared filters, banners)."""

import streamlit as st

from ui import state
from ui.filters import sidebar_filters

st.set_page_config(page_title="SIT PLADECO Vallenar", page_icon="🗺️", layout="wide")

problem = state.database_ready()
if problem:
    st.error(problem)
    st.stop()

version = state.data_version()
st.session_state["filters"] = sidebar_filters(state.filter_options(version))
st.session_state["data_version"] = version
state.demo_banner(version)

pages = [
    st.Page("pages/mapa.py", title="Mapa del PLADECO", icon=":material/map:", default=True),
    st.Page("pages/calidad.py", title="Calidad de datos", icon=":material/rule:"),
]
st.navigation(pages).run()
