"""Refusals shown to a person: logged with their traceback first, then shown in Spanish.

Every page that turns an error into a message on screen goes through :func:`refused`, so
a maintainer finds the traceback in the server log while the person reads what went wrong.
"""

from __future__ import annotations

import logging

import streamlit as st

from layers.sanitize import clean_markdown

log = logging.getLogger(__name__)


def refused(exc: BaseException, message: str | None = None) -> str:
    """Log ``exc`` with its traceback and return the Spanish text to show, Markdown-escaped."""
    log.info("refused: %s", exc, exc_info=exc)
    return clean_markdown(str(exc) if message is None else message)


#: Shown instead of a traceback (``client.showErrorDetails = "none"`` hides Streamlit's own).
UNEXPECTED = (
    "Ocurrió un error inesperado y esta acción no se completó. Lo escrito en los campos que "
    "siguen en pantalla se conserva: intente de nuevo y, si se repite, avise al administrador "
    "(el detalle técnico quedó en el registro del servidor)."
)


def unexpected(exc: BaseException) -> None:
    """An error no page expected: log it with its traceback (ERROR) and show the Spanish notice."""
    log.error("unexpected error while running the page", exc_info=exc)
    st.error(UNEXPECTED, icon=":material/error:")
