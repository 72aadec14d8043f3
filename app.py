"""SIT PLADECO Vallenar: router and frame (page registration, database check, shared filters)."""

import streamlit as st
from sqlalchemy.exc import OperationalError

from ui import state
from ui.frame import draw_frame
from ui.messages import unexpected

st.set_page_config(page_title="SIT PLADECO Vallenar", page_icon="🗺️", layout="wide")

problem = state.database_ready()
if problem:
    state.database_problem(problem)

pages = [
    st.Page("pages/mapa.py", title="Mapa del PLADECO", icon=":material/map:", default=True),
    st.Page("pages/calidad.py", title="Calidad de datos", icon=":material/rule:"),
    st.Page("pages/iniciativas.py", title="Iniciativas", icon=":material/edit_location_alt:"),
    st.Page("pages/planillas.py", title="Planillas", icon=":material/table_view:"),
    st.Page("pages/capas.py", title="Importar capas", icon=":material/upload_file:"),
    st.Page("pages/brechas.py", title="Brechas territoriales", icon=":material/query_stats:"),
]
page = st.navigation(pages)
try:
    # Drawn here, before the page runs, so the filters keep their values across pages.
    draw_frame()
    page.run()
except OperationalError as exc:  # PostgreSQL went away mid-run: a Spanish message, not a traceback
    state.database_lost(exc)
except Exception as exc:  # anything unexpected: the traceback to the log, Spanish on screen
    unexpected(exc)
