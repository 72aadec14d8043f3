"""File uploaders with their own words in Spanish: every ``st.file_uploader`` goes through here.

Streamlit's uploader writes two texts of its own, in English and fixed in its JavaScript:
the button («Upload») and the line beside it («50MB per file • XLSX, CSV»). :func:`file_input`
draws the uploader with a style element (no room on the page) that hides those two texts and
shows the Spanish ones in their place, only inside this uploader (its key's class). The
texts are built here from the uploader's own types and size cap, never from what a person
typed. ``tests/browser/test_participar.py`` reads what chromium shows on one of them, so a Streamlit
that draws the uploader differently fails there, not silently.

A file over the cap is still refused by the browser with Streamlit's English message: the
help text (:func:`geo.uploads.size_hint`) says so before the person tries.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

import streamlit as st

from geo.uploads import DEFAULT_LIMITS, MB, UploadLimits, size_hint

log = logging.getLogger(__name__)

#: The button's text.
BUTTON = "Elegir archivo"
_DROPZONE = '[data-testid="stFileUploaderDropzone"]'
_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def instructions(types: Sequence[str], limits: UploadLimits = DEFAULT_LIMITS) -> str:
    """The line beside the button: ``Máximo 50 MB · .xlsx o .csv``."""
    names = [f".{t.lower().lstrip('.')}" for t in types]
    kinds = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " o " + names[-1]
    return f"Máximo {limits.max_bytes // MB} MB · {kinds}"


def spanish_style(key: str, types: Sequence[str], limits: UploadLimits = DEFAULT_LIMITS) -> str:
    """The style element that puts the Spanish texts in the uploader keyed ``key``."""
    if not _KEY.match(key):
        raise ValueError(f"an uploader's key is letters, digits, '_' and '-': {key!r}")
    scope = f".st-key-{key} {_DROPZONE}"
    button = f'{scope} button [data-testid="stMarkdownContainer"] p'
    line = f'{scope} [data-testid="stFileUploaderDropzoneInstructions"] span'
    return (
        "<style>"
        f"{button}, {line} {{font-size: 0;}}"
        f'{button}::after {{content: "{BUTTON}"; font-size: 0.875rem;}}'
        f'{line}::after {{content: "{instructions(types, limits)}"; font-size: 0.875rem;}}'
        "</style>"
    )


def file_input(
    label: str,
    *,
    key: str,
    type: Sequence[str],  # noqa: A002 (st.file_uploader's own name)
    help: str | None = None,  # noqa: A002
    limits: UploadLimits = DEFAULT_LIMITS,
    **kwargs: Any,
) -> Any:
    """``st.file_uploader(label, type, key, help)`` with its button and its line in Spanish.

    ``help`` defaults to the size cap (:func:`geo.uploads.size_hint`).
    """
    st.html(spanish_style(key, type, limits))
    return st.file_uploader(
        label,
        type=list(type),
        key=key,
        help=size_hint(limits) if help is None else help,
        # The browser refuses a larger file before it is sent (it says so in English: help).
        max_upload_size=limits.max_bytes // MB,
        **kwargs,
    )
