"""The PDF engine of the reports: typst, through its Python package.

Why typst: the package bundles its own fonts (Libertinus Serif, with every accent, «», and
the en dash), so nothing has to be installed on the server beyond ``pip install``; with
``ignore_system_fonts`` the output is the same on every machine; and a page renders in tens
of milliseconds. (fpdf2's core fonts fail on "–"; WeasyPrint needs the system's Pango.)

The escaping rule: data never becomes typst source. The template is a fixed file of
``geo/reports/templates``; every figure and name reaches it as JSON through
``sys.inputs`` and is inserted as a string, so ``#panic("x")``, ``$x$`` or ``*b*`` in a
name print as written.
"""

from __future__ import annotations

import json
import logging
from importlib.resources import files
from typing import Any, Literal

import typst

from geo.errors import DataError

log = logging.getLogger(__name__)


def template(name: str) -> bytes:
    """The source of a template of ``geo/reports/templates`` (package data)."""
    return files("geo.reports").joinpath("templates", name).read_bytes()


def _compile(name: str, data: dict[str, Any], fmt: Literal["pdf", "png"], ppi: float | None) -> Any:
    try:
        return typst.compile(
            template(name),
            format=fmt,
            ppi=ppi,
            sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
            ignore_system_fonts=True,
        )
    except typst.TypstError as exc:
        log.exception("typst could not compile %s", name)
        raise DataError("No se pudo generar el PDF (error interno del motor de reportes).") from exc


def render_pdf(name: str, data: dict[str, Any]) -> bytes:
    """The PDF of template ``name`` filled with ``data``."""
    return bytes(_compile(name, data, "pdf", None))


def render_png(name: str, data: dict[str, Any], ppi: float = 80) -> list[bytes]:
    """One PNG per page of template ``name`` filled with ``data`` (to look at the pages)."""
    out = _compile(name, data, "png", ppi)
    return [out] if isinstance(out, bytes) else list(out)  # one page comes alone, not in a list
