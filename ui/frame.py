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
failed), the rest comes after :data:`MAP_FIRST_TIMEOUT_S` anyway.
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
#: Set while a map-first visit waits for its map; cleared when the rest is drawn.
_MAP_FIRST = "_sit_map_first"
#: Set once the rest of a map-first visit has been drawn: later runs draw everything at once.
_MAP_SHOWN = "_sit_map_shown"
#: Seconds after which a map-first visit draws the rest even if the map never reported.
MAP_FIRST_TIMEOUT_S = 4.0
_WAITED = "_sit_map_first_waited"


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
    return by_file.get(HOME) is page and not st.session_state.get(_MAP_SHOWN) and filters_untouched()


def draw_frame(banner: bool = True, map_first: bool = False) -> tuple[MapFilters, str]:
    """Draw the sidebar filters and the demo notice (router only); return (filters, version).

    ``banner``: False for a page shown on a wall, which announces demo data in its own way.
    ``map_first``: leave the filters out of this run (:func:`opens_map_first`).
    """
    frame = _draw(banner, filters_first=not map_first)
    st.session_state[_FRAME_KEY] = frame
    st.session_state[_MAP_FIRST] = map_first
    return frame


def map_first() -> bool:
    """Whether this run draws the map before the rest of the page (the router left the filters out)."""
    return bool(st.session_state.get(_MAP_FIRST))


def map_drawn(reported: bool) -> None:
    """In a map-first visit, once the map has said it is drawn, run the whole app again.

    ``reported``: :func:`ui.plan_map.map_reported` of what the map's component returned.
    """
    if reported and map_first():
        _draw_the_rest()


def _draw_the_rest() -> None:
    st.session_state[_MAP_FIRST] = False
    st.session_state[_MAP_SHOWN] = True
    st.rerun(scope="app")


def rest_after_map() -> None:
    """End a map-first run here; the rest comes with the map's report or the next run.

    The next run of the page, if it comes first: the timer's, :data:`MAP_FIRST_TIMEOUT_S`
    later (a map that never reports), or any other (AppTest's next ``run``).
    """

    @st.fragment(run_every=MAP_FIRST_TIMEOUT_S)
    def _fallback() -> None:
        # Its first run is part of this run; the next one comes MAP_FIRST_TIMEOUT_S later.
        if st.session_state.pop(_WAITED, False) and map_first():
            log.warning("the map did not report within %.0f s: drawing the rest", MAP_FIRST_TIMEOUT_S)
            _draw_the_rest()
        st.session_state[_WAITED] = True

    _fallback()
    st.stop()


def page_frame(script: str) -> tuple[MapFilters, str]:
    """Guard the page ``script`` (its ``__file__``), then return (current filters, data version).

    The router drew them in this run; a page that runs without the router draws them itself.
    """
    guard(script)
    frame = st.session_state.pop(_FRAME_KEY, None)
    return frame if frame is not None else _draw()
