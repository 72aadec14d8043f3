"""The one call that shows a folium map in a page: ``streamlit_folium.st_folium``, rendered once.

``st_folium`` renders the whole figure (``render=True``, its default) and then the map again
before it reads the map's HTML, header and script; the first render adds nothing the second
does not (``tests/ui/test_folium_map.py`` compares what reaches the browser both ways), and it
was about a third of the call's time on the Mapa page (bench/README.md, issue 9). Every page
shows its maps through :func:`show_folium`.
"""

from __future__ import annotations

import logging
from typing import Any

import folium
from streamlit_folium import st_folium

log = logging.getLogger(__name__)


def show_folium(m: folium.Map, **kwargs: Any) -> Any:
    """``st_folium(m, **kwargs)`` with the map rendered once; returns what ``st_folium`` returns."""
    return st_folium(m, render=False, **kwargs)
