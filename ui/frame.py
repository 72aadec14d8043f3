"""What every page does first: check who may see it, then the shared filters and the demo notice.

``page_frame(__file__)`` is the first statement of every page that reads the plan: it runs
:func:`ui.navigation.guard`, which stops the page with "No autorizado" unless this session
may open it, before anything of the page (a query, a widget) runs.

Under ``st.navigation`` a widget that each page draws with the same key is a different
widget on each page, and its value is dropped when the page changes. Widgets drawn by the
entry script before ``st.navigation(...).run()`` keep their values. So the router
(``app.py``) calls :func:`draw_frame` once per run and the pages read what it drew with
:func:`page_frame`.

Streamlit tells widgets of different pages apart by the script that is active when they are
drawn. The frame is always drawn as the entry script, also when a page runs on its own
(Streamlit serves a file of ``pages/`` directly until some session has called
``st.navigation``, and AppTest reruns the page file alone after its first run): the filters
are then the same widgets, with the same values, in every case.

**The map first.** The Mapa page is what most sessions open first, on a projector in a
council meeting or a workshop, and a blank map is what people notice. In a first visit the
browser's main thread renders the sidebar's filters, the figures and the table before it
creates the map's iframe, and then again while Leaflet loads in that iframe, which shares the
page's main thread (together 0.35-0.6 s on this machine kind: bench/README.md, issue 9). So
the first time a session draws the Mapa page, while its filters are still their defaults,
the router leaves the filters out and the page draws its title, a space where the figures
go and the map. Once the map says its initiatives are on
screen (``layers/js/initiatives.js`` adds ``sit_drawn`` to streamlit-folium's value), that
report reruns the whole app, which draws everything (:func:`map_first_run`). The map says it
only while the page shows the button under it (keyed :data:`layers.map.WAITING_KEY`): every
other map visit draws the whole page at once and needs no report, and a report's run could
take a person who had just clicked another page back to the map. If the map
never says it (its JavaScript failed), a button under it draws the rest (:data:`SHOW_REST`);
any run the map did not ask for draws the whole page at once.
The main area keeps the same elements in the same places in both runs, so the map's iframe
is not replaced.

The report is a widget's change, so it reruns the page the browser is on. If the person has
just gone to another page, the browser sends the report with the page it still believes
current, the Mapa, and Streamlit keeps the later of two requests: the person would land back
on the map. A run the map asked for (:func:`ui.plan_map.map_changed`) that finds the
previous run on another page goes back to that page instead.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from geo.initiatives.filters import MapFilters
from layers.map import WAITING_KEY
from ui import state
from ui.filters import default_filters, filters_untouched, sidebar_filters
from ui.navigation import HOME, guard, shows_login
from ui.plan_map import MAP_KEY, map_reported, ran_for_map

log = logging.getLogger(__name__)
#: Session key holding this run's (filters, data version), set by the router, read by the page.
_FRAME_KEY = "_sit_frame"
#: Where the session is in its map-first visit: absent (not yet), "waiting" (the map is
#: on screen alone, waiting for its report: every Mapa run the router lets through in this
#: phase is a map-first run), "done" (every run draws the whole page).
_MAP_FIRST_PHASE = "_sit_map_first_phase"
#: The address (``url_path``) of the page the previous full run ran.
_LAST_PAGE = "_sit_last_page"
#: The button under a map-first run's map that draws the rest at once (a map that never
#: says it is drawn: its JavaScript failed).
SHOW_REST = "Mostrar ahora los filtros, las cifras y la tabla"


def _draw(
    version: str | None = None, banner: bool = True, filters_first: bool = True
) -> tuple[MapFilters, str]:
    version = version or state.data_version()
    if filters_first:
        ctx = get_script_run_ctx()
        with ctx.run_with_active_hash(ctx.pages_manager.main_script_hash) if ctx else nullcontext():
            filters = sidebar_filters(state.filter_options(version))
    else:
        filters = default_filters()
    if banner:
        state.demo_banner(version, shown=filters.include_demo)
    return filters, version


def map_first_run(page: Any, pages: list[Any], by_file: dict[str, Any]) -> bool:
    """Whether the router, about to run ``page``, leaves the filters for after the map.

    Called once per full run, before :func:`draw_frame`. True for the Mapa page in a session
    that has shown no page but the login form, while its filters hold their defaults (so they are
    known without drawing them), and again for the runs the map itself asks for before it
    says its initiatives are drawn (a click on the map then: its detail, the map still alone).
    A run the map asked for after the person went to another page goes back to that page.
    """
    ss = st.session_state
    by_map = ran_for_map()
    on_home = by_file.get(HOME) is page
    last = ss.get(_LAST_PAGE)
    if by_map and on_home and last is not None and last != page.url_path:
        back = next((p for p in pages if p.url_path == last), None)
        if back is not None:
            log.info("a report of the map came after the page changed to %r: back to it", last)
            st.switch_page(back)
    ss[_LAST_PAGE] = page.url_path
    phase = ss.get(_MAP_FIRST_PHASE)
    if phase is None and on_home and filters_untouched():
        ss[_MAP_FIRST_PHASE] = "waiting"
        return True
    if phase == "waiting" and on_home and by_map and not map_reported(ss.get(MAP_KEY)):
        return True
    if on_home or not shows_login(page, by_file):  # another page has shown the filters
        ss[_MAP_FIRST_PHASE] = "done"
    return False


def draw_frame(version: str, banner: bool = True, map_first: bool = False) -> tuple[MapFilters, str]:
    """Draw the sidebar filters and the demo notice (router only); return (filters, version).

    ``version``: the data version the router read this run (``ui.state.database_ready``).
    ``banner``: False for a page shown on a wall, which announces demo data in its own way.
    ``map_first``: leave the filters out of this run (:func:`map_first_run`).
    """
    frame = _draw(version, banner, filters_first=not map_first)
    st.session_state[_FRAME_KEY] = frame
    return frame


def map_first() -> bool:
    """Whether this run draws the map before the rest of the page (the router left the filters out)."""
    return st.session_state.get(_MAP_FIRST_PHASE) == "waiting"


def rest_after_map() -> None:
    """End a map-first run under the map, with a button that draws the rest at once.

    The rest comes with the map's report or with any run the map did not ask for: that
    button's, or any other (AppTest's next ``run``). No timer: a run it started after the
    person had gone to another page would land on that page's run.
    """
    # Its key is what the map looks for in the page before it reports (layers.map.WAITING_KEY).
    st.button(SHOW_REST, key=WAITING_KEY, type="tertiary", icon=":material/expand_more:")
    st.stop()


def page_frame(script: str) -> tuple[MapFilters, str]:
    """Guard the page ``script`` (its ``__file__``), then return (current filters, data version).

    The router drew them in this run; a page that runs without the router draws them itself.
    """
    guard(script)
    frame = st.session_state.pop(_FRAME_KEY, None)
    if frame is None:  # no router in this run: the filters are drawn, the map-first visit is over
        st.session_state[_MAP_FIRST_PHASE] = "done"
        frame = _draw()
    return frame
