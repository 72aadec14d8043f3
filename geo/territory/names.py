"""Codes and display names of places as the loaders write them."""

from __future__ import annotations

import logging
import re
import unicodedata

log = logging.getLogger(__name__)


def slug(value: str) -> str:
    """Return an ASCII, upper-case code for a place name (``La Compañía`` -> ``LA-COMPANIA``)."""
    ascii_ = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]+", "-", ascii_.upper()).strip("-")


def place_title(value: str) -> str:
    """Title-case an upper-case INE name (``LAS TERRAZAS-BUEN RETIRO`` -> ``Las Terrazas-Buen Retiro``).

    Only ``de``, ``del`` and ``y`` stay in lower case inside a name.
    """
    small = {"de", "del", "y"}

    def word(w: str, first: bool) -> str:
        if not first and w in small:
            return w
        return re.sub(r"(^|[-'])(\w)", lambda m: m.group(1) + m.group(2).upper(), w)

    return " ".join(word(w, i == 0) for i, w in enumerate(value.strip().lower().split()))
