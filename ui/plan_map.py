"""The Mapa page's map as streamlit-folium shows it (the benchmark measures this same call)."""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st

from layers.map import MapParts, selection_html
from ui.folium_map import show_folium

log = logging.getLogger(__name__)


#: The map's key: streamlit-folium keeps its last value in ``st.session_state[MAP_KEY]``.
MAP_KEY = "mapa"
#: Set by the map's ``on_change`` for the run the map's value started (cleared by the router).
RUN_BY_MAP = "_sit_run_by_map"


def map_reported(value: dict[str, Any] | None) -> bool:
    """Whether the map in the browser has said that its initiatives are on screen.

    ``layers/js/initiatives.js`` adds ``sit_drawn`` to streamlit-folium's value the first time
    they are; a value streamlit-folium sends of its own (a click on the map) has none.
    """
    return "sit_drawn" in (value or {})


def map_changed() -> None:
    """``on_change`` of the map: Streamlit calls it before the run the map's new value starts."""
    st.session_state[RUN_BY_MAP] = True


def ran_for_map() -> bool:
    """Whether this run is the one the map's value started (once per run: the flag is cleared)."""
    return bool(st.session_state.pop(RUN_BY_MAP, False))


def show_plan_map(parts: MapParts, height: int = 660) -> dict[str, Any] | None:
    """Show ``parts`` and return what the last click selected (``last_active_drawing``).

    The map does not change with the filters: streamlit-folium gets the same arguments on
    every run, so it keeps its centre and zoom, and Streamlit sends the map only once. The
    selection goes beside it as a style element that takes no room, which the map reads
    (:class:`layers.map.MapParts`, ``layers/js/selection.js``).
    """
    st.html(selection_html(parts.selection))
    return show_folium(
        parts.map,
        height=height,
        use_container_width=True,
        key=MAP_KEY,
        returned_objects=["last_active_drawing"],
        on_change=map_changed,
    )
