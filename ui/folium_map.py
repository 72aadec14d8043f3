"""The one call that shows a folium map in a page: ``streamlit_folium.st_folium``, rendered once.

``st_folium`` renders the whole figure (``render=True``, its default) and then the map again
before it reads the map's HTML, header and script; the first render adds nothing the second
does not (``tests/ui/test_folium_map.py`` compares what reaches the browser both ways), and it
was about a third of the call's time on the Mapa page (bench/README.md, issue 9). Every page
shows its maps through :func:`show_folium`.

Rendering the map once still compiled ~100 Jinja templates per call, about 60 % of
``st_folium``'s time (bench/README.md, issue 9). branca compiles the text of every element it
creates as a template (``jinja2.Template(text)``), and every rendered macro of folium and
streamlit-folium (each layer's script, our data, the legend) becomes such an element: already
final text, with the elements' random names in it, compiled and rendered again. Text without
Jinja's delimiters renders to itself, so :func:`branca_template` returns it as it is, without
compiling it (the same text, newlines normalised as Jinja does); text with a delimiter is
compiled as before, so what reaches the browser does not change
(``tests/ui/test_folium_map.py`` compares both ways, hostile text included). folium's
tooltips also compile the same constant template text on every render: compiled once.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

import branca.element
import branca.utilities
import folium
import folium.features
import folium.template
import jinja2
from streamlit_folium import st_folium

log = logging.getLogger(__name__)


#: Jinja's default delimiters (branca's templates use the default environment).
_DELIMITERS = ("{{", "{%", "{#")
#: Template texts longer than this are compiled each time instead of kept (rendered output
#: with a delimiter in it: rare, and unique per render).
_KEEP_MAX = 20_000


class LiteralTemplate:
    """A template text without Jinja syntax: renders to the text, as ``jinja2.Template`` would.

    Jinja splits the text on every kind of line break (CR LF, CR, LF), drops one trailing
    line break (``keep_trailing_newline`` is off) and joins the lines with LF.
    """

    __slots__ = ("_text",)

    def __init__(self, source: str) -> None:
        lines = _NEWLINES.split(source)
        if lines[-1] == "":
            lines.pop()
        self._text = "\n".join(lines)

    def render(self, *args: Any, **kwargs: Any) -> str:
        """The text (branca passes the element and its arguments: nothing to fill in)."""
        return self._text

    @property
    def module(self) -> Any:
        """The template's macros, as ``jinja2.Template.module``: there are none."""
        return _NO_MACROS


_NEWLINES = re.compile(r"\r\n|\r|\n")
_NO_MACROS = SimpleNamespace()


@lru_cache(maxsize=512)
def _compiled(source: str) -> jinja2.Template:
    return jinja2.Template(source)


def branca_template(source: str) -> jinja2.Template | LiteralTemplate:
    """What branca's ``Template(source)`` gives, without compiling text that has no Jinja in it."""
    if not any(d in source for d in _DELIMITERS):
        return LiteralTemplate(source)
    return _compiled(source) if len(source) <= _KEEP_MAX else jinja2.Template(source)


@lru_cache(maxsize=64)
def folium_template(source: str) -> folium.template.Template:
    """A ``folium.template.Template(source)``, compiled once per text.

    ``folium.features`` builds its tooltips' and popups' templates from constant text inside
    ``render``, on every render.
    """
    return folium.template.Template(source)


#: branca's ``Element.get_name`` spells the element's class name in snake case on every call
#: (``_camelify``, a character-by-character pass), and the templates call it for every
#: reference to an element: ~500 times per Mapa map, 9 of its 21 ms at 1,000 initiatives
#: (bench/README.md, 2026-12-02). The spelling depends on the class name only.
_snake_case = lru_cache(maxsize=256)(branca.utilities._camelify)


def remember_templates() -> None:
    """Make branca and ``folium.features`` build templates as above, class names spelled once."""
    branca.element.Template = branca_template  # type: ignore[assignment,misc]
    folium.features.Template = folium_template  # type: ignore[assignment,misc]
    branca.element._camelify = _snake_case


remember_templates()


def show_folium(m: folium.Map, **kwargs: Any) -> Any:
    """``st_folium(m, **kwargs)`` with the map rendered once; returns what ``st_folium`` returns."""
    return st_folium(m, render=False, **kwargs)
