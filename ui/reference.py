"""The reference layers of the map pages, read and encoded once per loaded version."""

from __future__ import annotations

import logging

import streamlit as st

from geo.initiatives.queries import reference_part
from geo.territory.reference import map_reference_layers
from layers.reference_layers import EncodedReference, encode_reference
from ui import state

log = logging.getLogger(__name__)


@st.cache_data(show_spinner=False, max_entries=2)
def _encoded(version: str) -> EncodedReference:
    with state.engine().connect() as conn:
        return encode_reference(map_reference_layers(conn))


def reference_layers(version: str) -> EncodedReference:
    """The reference layers as the maps carry them (:mod:`layers.reference_layers`).

    ``version``: the run's data version, whose last part is the reference layers' own
    fingerprint (:func:`geo.initiatives.queries.reference_part`): an administrator's
    replacement of a layer shows on the next run, and an edit of an initiative does not
    encode them again.
    """
    return _encoded(reference_part(version))
