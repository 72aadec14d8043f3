"""Read-only tables as a person reads them: every ``st.dataframe`` of the app goes through here.

Streamlit's data grid writes a missing value as ``None``, in English and in programmer's
words. :func:`show_table` gives every table the same Spanish words for it instead
(:data:`geo.domain.NO_INFO` unless a table says better, e.g. «sin datos» for a progress no one
has recorded).
"""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st

from geo.domain import NO_INFO

log = logging.getLogger(__name__)


def show_table(data: Any, *, placeholder: str = NO_INFO, **kwargs: Any) -> Any:
    """``st.dataframe(data, **kwargs)`` with ``placeholder`` shown for missing values."""
    return st.dataframe(data, placeholder=placeholder, **kwargs)
