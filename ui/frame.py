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
"""

from __future__ import annotations

import logging
from contextlib import nullcontext

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from geo.initiatives.filters import MapFilters
from ui import state
from ui.filters import sidebar_filters
from ui.navigation import guard

log = logging.getLogger(__name__)
#: Session key holding this run's (filters, data version), set by the router, read by the page.
_FRAME_KEY = "_sit_frame"


def _draw(banner: bool = True) -> tuple[MapFilters, str]:
    version = state.data_version()
    ctx = get_script_run_ctx()
    with ctx.run_with_active_hash(ctx.pages_manager.main_script_hash) if ctx else nullcontext():
        filters = sidebar_filters(state.filter_options(version))
    if banner:
        state.demo_banner(version, shown=filters.include_demo)
    return filters, version


def draw_frame(banner: bool = True) -> tuple[MapFilters, str]:
    """Draw the sidebar filters and the demo notice (router only); return (filters, version).

    ``banner``: False for a page shown on a wall, which announces demo data in its own way.
    """
    frame = _draw(banner)
    st.session_state[_FRAME_KEY] = frame
    return frame


def page_frame(script: str) -> tuple[MapFilters, str]:
    """Guard the page ``script`` (its ``__file__``), then return (current filters, data version).

    The router drew them in this run; a page that runs without the router draws them itself.
    """
    guard(script)
    frame = st.session_state.pop(_FRAME_KEY, None)
    return frame if frame is not None else _draw()
