"""The Mapa page's map as streamlit-folium shows it (the benchmark measures this same call)."""

from __future__ import annotations

import logging
from typing import Any

from layers.map import MapParts
from ui.folium_map import show_folium

log = logging.getLogger(__name__)


def show_plan_map(parts: MapParts, height: int = 660) -> dict[str, Any] | None:
    """Show ``parts`` and return what the last click selected (``last_active_drawing``).

    Only the filtered layers change with the filters: streamlit-folium swaps them in place,
    so the map keeps its centre and zoom instead of reloading (:class:`layers.map.MapParts`).
    """
    return show_folium(
        parts.map,
        height=height,
        use_container_width=True,
        key="mapa",
        feature_group_to_add=parts.dynamic,
        layer_control=parts.control,
        returned_objects=["last_active_drawing"],
    )
