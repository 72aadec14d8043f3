"""The one sanitiser for every text a person typed, before it reaches folium or HTML.

folium/branca re-compile rendered output as a Jinja template (``{{ 7*7 }}`` becomes ``49``
and can run code on the server), and tooltips/popups insert raw HTML in the browser. So
text is HTML-escaped and the Jinja delimiters are neutralised as character references,
which the browser shows as the original characters.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)

_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;", "%": "&#37;"})


def clean_text(value: Any) -> str:
    """Return ``value`` as text safe for folium templates and HTML (``None`` -> ``""``)."""
    if value is None:
        return ""
    return html.escape(str(value), quote=True).translate(_BRACES)


def clean_properties(props: Mapping[str, Any]) -> dict[str, Any]:
    """Sanitise every string value of a GeoJSON feature's properties; keep numbers as they are."""
    out: dict[str, Any] = {}
    for key, value in props.items():
        if isinstance(value, str):
            out[key] = clean_text(value)
        elif isinstance(value, (list, tuple)):
            out[key] = [clean_text(v) if isinstance(v, str) else v for v in value]
        else:
            out[key] = value
    return out


class SanitizedFeatureCollection(dict):
    """A FeatureCollection whose properties already went through :func:`clean_properties`.

    Lets the app sanitise once, when the query result is cached, while ``build_map`` still
    sanitises anything handed to it that is not marked as done (and never twice).
    """


def clean_feature_collection(fc: Mapping[str, Any]) -> SanitizedFeatureCollection:
    """Return a copy of a GeoJSON FeatureCollection with sanitised properties."""
    if isinstance(fc, SanitizedFeatureCollection):
        return fc
    return SanitizedFeatureCollection(
        type="FeatureCollection",
        features=[
            {**f, "properties": clean_properties(f.get("properties") or {})} for f in fc.get("features", [])
        ],
    )


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#!|~$"})


def clean_markdown(value: Any) -> str:
    """Return ``value`` with Markdown punctuation escaped, for ``st.error``/``st.caption``.

    Streamlit renders those as Markdown: a typed ``![x](http://...)`` would load an outside
    image (and break the offline rule), ``[x](...)`` would become a link.
    """
    if value is None:
        return ""
    return str(value).translate(_MARKDOWN)
