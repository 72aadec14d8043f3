"""Where a map opens: its frame set at once, without Leaflet's glide (no database here).

folium's ``fit_bounds`` writes ``map.fitBounds(bounds, {})`` after the map was created at
its ``location`` and ``zoom_start``, so Leaflet animates from that view to the frame: a
0.25 s pan (or a zoom) while the page loads. When the glide ends, Leaflet's ``moveend``
makes the canvas renderer clear itself, project every path again and redraw all of them,
after it had drawn them once: at 10,000 initiatives a second full drawing, about 0.1 s of
the browser's main thread, before the map says it is drawn (bench/README.md, 2026-12-02).
:func:`fit_bounds` sets the same frame with ``animate: false``: the view is set at once, in
the map's own script, before anything is drawn.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import folium

log = logging.getLogger(__name__)


def fit_bounds(
    m: folium.Map,
    bounds: Sequence[Sequence[float]],
    padding: tuple[int, int] | None = None,
) -> folium.FitBounds:
    """Frame ``m`` on ``bounds`` ([[south, west], [north, east]]) without animating; returns the element."""
    fit = folium.FitBounds(bounds, padding=padding)
    fit.options["animate"] = False
    fit.add_to(m)
    return fit
