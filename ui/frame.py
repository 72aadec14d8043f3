"""What every page shows first: the demo notice and the shared filters.

Each page calls :func:`page_frame` (rather than the router drawing them) so the filters
use the same widget keys on every page and therefore stay shared across pages.
"""

from __future__ import annotations

import logging

from geo.initiatives.filters import MapFilters
from ui import state
from ui.filters import sidebar_filters

log = logging.getLogger(__name__)


def page_frame() -> tuple[MapFilters, str]:
    """Draw the demo notice and the sidebar filters; return (filters, data version)."""
    version = state.data_version()
    state.demo_banner(version)
    filters = sidebar_filters(state.filter_options(version))
    return filters, version
