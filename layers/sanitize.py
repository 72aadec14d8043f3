"""The one sanitiser for every text a person typed, before it reaches folium or HTML.

folium/branca re-compile rendered output as a Jinja template (``{{ 7*7 }}`` becomes ``49``
and can run code on the server), and tooltips/popups insert raw HTML in the browser. So
text is HTML-escaped and the Jinja delimiters are neutralised as character references,
which the browser shows as the original characters.
"""

from __future__ import annotations

import html
import logging
import re
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


#: Every ASCII punctuation character that means something to Streamlit's Markdown: emphasis,
#: links and images, HTML, headings, tables, strikethrough, LaTeX (``$``), colour and icon
#: directives (``:red[...]``, ``:material/...:``), entities (``&``).
_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#!|~$:@&"})
#: GitHub Markdown turns bare ``http://...``, ``www....`` and ``a@b.cl`` into links after the
#: escapes are read (checked in chromium: a backslash does not stop it), so a WORD JOINER
#: (U+2060, invisible, not a space) goes inside each of those patterns.
_WORD_JOINER = "\u2060"
_WWW = re.compile(r"(?i)\b(www)\.")


def clean_markdown(value: Any) -> str:
    """Return ``value`` shown as typed by ``st.markdown``/``st.error``/``st.caption``/labels.

    Streamlit renders those as Markdown: a typed ``![x](http://...)`` would load an outside
    image (and break the offline rule), ``[x](...)`` would become a link, ``$x^2$`` LaTeX, and
    a bare ``http://...`` or ``www....`` a link. Every character that could start one of those
    is backslash-escaped, which Markdown shows as the character itself, and bare addresses get
    an invisible word joiner that keeps them from being linked.
    """
    if value is None:
        return ""
    text = str(value).replace("://", ":" + _WORD_JOINER + "//").replace("@", "@" + _WORD_JOINER)
    return _WWW.sub(r"\1" + _WORD_JOINER + ".", text).translate(_MARKDOWN)
