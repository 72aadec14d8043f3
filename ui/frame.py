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
creates the map's iframe (each of them 0.05-0.2 s on this machine kind; together 0.4 s:
bench/README.md, issue 9). So the first time a session draws the Mapa page, while its
filters are still their defaults, the router leaves the filters out and the page draws its
title, the map and a space where the figures go; once the map says its initiatives
are on screen (``layers/js/initiatives.js``, through streamlit-folium's value), the whole app
runs again with everything (:func:`map_drawn`). If the map never says it (its JavaScript
failed), a button under it draws the rest (:data:`SHOW_REST`); any later run of the session
draws the whole page at once.
The main area keeps the same elements in the same places in both runs, so the map's iframe
is not replaced.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from geo.initiatives.filters import MapFilters
from ui import state
from ui.filters import default_filters, filters_untouched, sidebar_filters
from ui.navigation import HOME, guard

log = logging.getLogger(__name__)
#: Session key holding this run's (filters, data version), set by the router, read by the page.
_FRAME_KEY = "_sit_frame"
#: Set while a map-first run waits for its map; cleared when the rest is drawn.
_MAP_FIRST = "_sit_map_first"
#: Set by a session's map-first run: every later run draws the whole page at once.
_MAP_FIRST_DONE = "_sit_map_first_done"
#: The button under a map-first run's map that draws the rest at once (a map that never
#: says it is drawn: its JavaScript failed).
SHOW_REST = "Mostrar ahora los filtros, las cifras y la tabla"


def _draw(banner: bool = True, filters_first: bool = True) -> tuple[MapFilters, str]:
    version = state.data_version()
    if filters_first:
        ctx = get_script_run_ctx()
        with ctx.run_with_active_hash(ctx.pages_manager.main_script_hash) if ctx else nullcontext():
            filters = sidebar_filters(state.filter_options(version))
    else:
        filters = default_filters()
    if banner:
        state.demo_banner(version, shown=filters.include_demo)
    return filters, version


def opens_map_first(page: object, by_file: dict[str, object]) -> bool:
    """Whether the router, about to run ``page``, should leave the filters for after the map.

    The Mapa page, in a session that has not drawn it whole yet and whose filters are still
    their defaults (so they are known without drawing them).
    """
    return by_file.get(HOME) is page and not st.session_state.get(_MAP_FIRST_DONE) and filters_untouched()


def draw_frame(banner: bool = True, map_first: bool = False) -> tuple[MapFilters, str]:
    """Draw the sidebar filters and the demo notice (router only); return (filters, version).

    ``banner``: False for a page shown on a wall, which announces demo data in its own way.
    ``map_first``: leave the filters out of this run (:func:`opens_map_first`).
    """
    frame = _draw(banner, filters_first=not map_first)
    st.session_state[_FRAME_KEY] = frame
    st.session_state[_MAP_FIRST] = map_first
    if map_first:
        st.session_state[_MAP_FIRST_DONE] = True
    return frame


def map_first() -> bool:
    """Whether this run draws the map before the rest of the page (the router left the filters out)."""
    return bool(st.session_state.get(_MAP_FIRST))


def map_drawn(reported: bool) -> None:
    """In a map-first run, once the map has said it is drawn, run the whole app again.

    ``reported``: :func:`ui.plan_map.map_reported` of what the map's component returned.
    """
    if reported and map_first():
        st.session_state[_MAP_FIRST] = False
        st.rerun(scope="app")


def rest_after_map() -> None:
    """End a map-first run under the map, with a button that draws the rest at once.

    The rest comes with the map's report (:func:`map_drawn`) or with any later run of the
    page: that button's, or any other (AppTest's next ``run``). No timer: a run it started
    after the person had gone to another page would land on that page's run.
    """
    st.button(SHOW_REST, type="tertiary", icon=":material/expand_more:")
    st.stop()


def page_frame(script: str) -> tuple[MapFilters, str]:
    """Guard the page ``script`` (its ``__file__``), then return (current filters, data version).

    The router drew them in this run; a page that runs without the router draws them itself.
    """
    guard(script)
    frame = st.session_state.pop(_FRAME_KEY, None)
    return frame if frame is not None else _draw()
