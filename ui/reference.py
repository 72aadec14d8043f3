"""The reference layers of the map pages, read and encoded once per loaded version."""

from __future__ import annotations

import logging

import streamlit as st

from geo.territory.reference import map_reference_layers, reference_version
from layers.reference_layers import EncodedReference, encode_reference
from ui import state

log = logging.getLogger(__name__)


@st.cache_data(show_spinner=False, max_entries=2)
def _encoded(version: str) -> EncodedReference:
    with state.engine().connect() as conn:
        return encode_reference(map_reference_layers(conn))


def reference_layers() -> EncodedReference:
    """The reference layers as the maps carry them (:mod:`layers.reference_layers`).

    Keyed by :func:`geo.territory.reference.reference_version`: an administrator's
    replacement of a layer shows on the next run.
    """
    with state.engine().connect() as conn:
        version = reference_version(conn)
    return _encoded(version)
