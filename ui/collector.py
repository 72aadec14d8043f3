"""The app process's long-lived objects, kept out of the cyclic garbage collector's way.

Streamlit collects every generation after each run (``runner.postScriptGC``). With the
app's imports (pandas, folium, SQLAlchemy, ...: about 120,000 tracked objects) that full
collection took 65-280 ms on this machine kind, holding the GIL, at the moment the browser
asks the same process for the map's frame, its scripts and styles: a map-first run ends
right after the map, so the collection delayed the map's iframe and its first paint
(measured, bench/README.md, 2026-12-02 afternoon).

:func:`freeze_long_lived` moves the objects alive at the start of a run into the
collector's permanent generation (``gc.freeze``) whenever modules were imported since it
last did: almost all of them are those imports and what the process caches, and the
collection after each run then walks only what came later (1-4 ms). It runs right after
the previous run's full collection, a handful of times in a process's life (the first
visit of each kind of page). The price, bounded by that: a reference cycle among frozen
objects that later becomes garbage (a cached value replaced) is not collected.
"""

from __future__ import annotations

import gc
import logging
import sys

log = logging.getLogger(__name__)

#: How many modules were loaded at the last freeze.
_frozen_at = 0


def freeze_long_lived() -> bool:
    """Freeze the objects alive now if modules were imported since the last freeze; whether it did."""
    global _frozen_at
    loaded = len(sys.modules)
    if loaded <= _frozen_at:
        return False
    _frozen_at = loaded
    gc.freeze()
    log.info("froze %d long-lived objects (%d modules loaded)", gc.get_freeze_count(), loaded)
    return True
