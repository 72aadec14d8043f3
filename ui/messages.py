"""What a page tells a person about a write: refusals and confirmations.

Every page that turns an error into a message on screen goes through :func:`refused`, so
a maintainer finds the traceback in the server log while the person reads what went wrong;
every confirmation shown after the rerun that follows a write goes through :func:`flash`.
"""

from __future__ import annotations

import logging
import time

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


_FLASH = "sit_flash"
#: How long a confirmation stays. A page whose map remounts after a save (its key carries the
#: version) reruns a second time when the map reports itself; the confirmation must survive
#: that rerun instead of flashing for a moment.
LINGER_S = 8.0


def flash(scope: str, message: str) -> None:
    """Confirm a write on the page ``scope`` after the rerun that follows it.

    ``message`` is Markdown: escape what a person typed in it (``clean_markdown``).
    """
    st.session_state.setdefault(_FLASH, {})[scope] = (message, time.monotonic())


def show_flash(scope: str) -> None:
    """The confirmation of the last write on page ``scope``, for :data:`LINGER_S` seconds of reruns."""
    shown = st.session_state.get(_FLASH, {})
    entry = shown.get(scope)
    if entry is None:
        return
    message, at = entry
    if time.monotonic() - at > LINGER_S:
        del shown[scope]
        return
    st.success(message, icon=":material/check_circle:")
