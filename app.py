"""SIT PLADECO Vallenar: router and frame (session, pages of the role, database check, shared filters)."""

import streamlit as st
from sqlalchemy.exc import OperationalError

from ui import auth, navigation, state
from ui.collector import freeze_long_lived
from ui.frame import draw_frame, map_first_run
from ui.messages import unexpected

freeze_long_lived()  # before the run makes its own objects: ui/collector.py

st.set_page_config(page_title="SIT PLADECO Vallenar", page_icon="🗺️", layout="wide")

version, problem = state.database_ready()
if problem is not None:
    state.database_problem(problem)

try:
    # Idle limit and account checks first: the pages given to st.navigation follow from them.
    who = auth.check_session()
    st.session_state[navigation.CHECKED_KEY] = True
    pages, by_file = navigation.pages_for_session()
    # expanded: past 12 pages Streamlit folds the menu to 10 and hides the rest behind «View more».
    # One page (the login form): no menu, as before the menu was always expanded.
    listed = sum(1 for p in pages if getattr(p, "visibility", "visible") != "hidden")
    page = st.navigation(pages, expanded=True, position="sidebar" if listed > 1 else "hidden")
    if who is not None and auth.sidebar_account(who):
        auth.end_session("Sesión cerrada. Para seguir, ingrese de nuevo.")
        st.switch_page(by_file[navigation.LOGIN])
    if navigation.visible(navigation.HOME):
        # Drawn here, before the page runs, so the filters keep their values across pages.
        map_first = map_first_run(page, pages, by_file)
        draw_frame(version, banner=not navigation.on_wall(page, by_file), map_first=map_first)
    if not navigation.shows_login(page, by_file):
        auth.show_notice()  # why a session ended, also on a page the public may see
    page.run()
except OperationalError as exc:  # PostgreSQL went away mid-run: a Spanish message, not a traceback
    state.database_lost(exc)
except Exception as exc:  # anything unexpected: the traceback to the log, Spanish on screen
    unexpected(exc)
