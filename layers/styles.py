"""Colours and labels of the map: one colour per strategic line, fixed by its position."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

# Nine distinguishable colours (Okabe-Ito plus two), readable on a projector and in print.
STRATEGY_PALETTE: tuple[str, ...] = (
    "#0072B2",  # E1 territorial
    "#009E73",  # E2 medio ambiente
    "#E69F00",  # E3 educación
    "#D55E00",  # E4 salud
    "#CC79A7",  # E5 cultura
    "#56B4E9",  # E6 economía
    "#8C564B",  # E7 deporte
    "#F0C808",  # E8 infancia
    "#555555",  # E9 gestión
)
UNKNOWN_COLOUR = "#999999"

BASE_STYLES = {
    "commune": {"color": "#222222", "weight": 2.5, "fill": False, "dashArray": "6 4"},
    "urban": {"color": "#7B3294", "weight": 2, "fill": True, "fillOpacity": 0.04},
    "uv": {"color": "#3B3B3B", "weight": 1, "fillColor": "#F7F4EA", "fillOpacity": 0.35},
    "village": {"color": "#4D9221", "weight": 1.5, "fillColor": "#A6DBA0", "fillOpacity": 0.5},
}

# Sequential classes for "initiatives linked per territory" (light to dark).
COUNT_COLOURS: tuple[str, ...] = ("#F7F4EA", "#FDD49E", "#FDBB84", "#FC8D59", "#E34A33", "#B30000")


def strategy_colour(position: int | None) -> str:
    """Return the colour of the strategy at 1-based ``position`` in the catalogue."""
    if not position or position < 1:
        return UNKNOWN_COLOUR
    return STRATEGY_PALETTE[(position - 1) % len(STRATEGY_PALETTE)]


def count_colour(count: int, breaks: tuple[int, ...] = (0, 1, 3, 6, 10, 20)) -> str:
    """Return the fill colour for a territory with ``count`` linked initiatives."""
    idx = 0
    for i, b in enumerate(breaks):
        if count >= b:
            idx = i
    return COUNT_COLOURS[min(idx, len(COUNT_COLOURS) - 1)]
