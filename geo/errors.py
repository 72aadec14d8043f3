"""Errors that carry a Spanish message meant for the person who gave the input.

Whoever turns one into a message on screen or on the console logs it first (with its
traceback, at INFO for refused input and at ERROR for the unexpected), so a maintainer can
see where it came from while the person reads Spanish.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime

from geo.domain import FIELD_LABELS

log = logging.getLogger(__name__)


class DataError(ValueError):
    """Bad input data: the message says what and where (file, row, field), in Spanish."""


class ValidationError(DataError):
    """One or more fields are wrong; ``errors`` maps each field to its Spanish message."""

    def __init__(self, errors: dict[str, str], labels: Mapping[str, str] | None = None) -> None:
        self.errors = errors
        labels = FIELD_LABELS if labels is None else labels
        super().__init__(
            "No se guardó. Revise: " + " ".join(f"{labels.get(k, k)}: {v}" for k, v in errors.items())
        )


class ConflictError(DataError):
    """Someone else saved the row after it was opened (or exported); nothing was overwritten.

    Attributes:
        by: who saved in between (names, as recorded), or None when only a process did.
        at: when the last of those saves happened.
        changed: the Spanish labels of the fields they changed, in the form's order.
        current_version: the row's version now (what a new attempt must present).
    """

    def __init__(
        self,
        message: str,
        *,
        by: str | None,
        at: datetime | None,
        changed: list[str],
        current_version: int,
    ) -> None:
        super().__init__(message)
        self.by, self.at, self.changed, self.current_version = by, at, changed, current_version


_KEY = re.compile(r"Key \((?P<cols>[^)]*)\)=\((?P<vals>.*)\) already exists")


def database_refusal(exc: BaseException) -> str:
    """The Spanish reason for a write PostgreSQL refused (a unique key, a CHECK, a NOT NULL).

    PostgreSQL's own text is English (``duplicate key value violates unique constraint``):
    it goes to the log, and the person reads which field and value were refused.
    """
    orig = getattr(exc, "orig", None) or exc
    diag = getattr(orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None) or "?"
    detail = getattr(diag, "message_detail", None) or ""
    sqlstate = getattr(orig, "sqlstate", None) or ""
    log.info("database refusal translated: %s", orig)
    if sqlstate == "23505" or "duplicate key" in str(orig):
        if m := _KEY.search(detail):
            cols = [c.strip() for c in m["cols"].split(",")]
            fields = " y ".join(FIELD_LABELS.get(c, c) for c in cols if c not in ("kind",))
            return f"ya existe un registro con {fields or 'esa clave'} «{m['vals']}» (regla {constraint})."
        return f"ya existe un registro con esa clave (regla {constraint})."
    if sqlstate == "23514":
        return f"un valor no cumple la regla «{constraint}» de la base de datos."
    if sqlstate == "23502":
        column = getattr(diag, "column_name", None) or "?"
        return f"falta el valor obligatorio «{FIELD_LABELS.get(column, column)}»."
    if sqlstate == "P0001":  # RAISE EXCEPTION in a trigger or function of ours: its own words
        return str(getattr(diag, "message_primary", None) or orig).splitlines()[0]
    return "la base de datos rechazó los datos (el detalle quedó en el registro del servidor)."
