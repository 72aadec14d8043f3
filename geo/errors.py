"""Errors that carry a Spanish message meant for the person who gave the input.

Whoever turns one into a message on screen or on the console logs it first (with its
traceback, at INFO for refused input and at ERROR for the unexpected), so a maintainer can
see where it came from while the person reads Spanish.
"""

from __future__ import annotations

import logging
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
