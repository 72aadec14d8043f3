"""Refusals shown to a person: logged with their traceback first, then shown in Spanish.

Every page that turns an error into a message on screen goes through :func:`refused`, so
a maintainer finds the traceback in the server log while the person reads what went wrong.
"""

from __future__ import annotations

import logging

from layers.sanitize import clean_markdown

log = logging.getLogger(__name__)


def refused(exc: BaseException, message: str | None = None) -> str:
    """Log ``exc`` with its traceback and return the Spanish text to show, Markdown-escaped."""
    log.info("refused: %s", exc, exc_info=exc)
    return clean_markdown(str(exc) if message is None else message)
