"""Physical progress of an initiative: entered by a planner, or taken from its status.

The ONE table from status to physical progress (also written on the «Evaluación del
PLADECO» page and in the report):

| status | physical progress |
|---|---|
| sin información | none (unknown: never 0 %) |
| idea | 0 % |
| perfil | 10 % |
| diseño | 25 % |
| licitación | 40 % |
| en ejecución | 60 % |
| terminado | 100 % |
| suspendido | the value it had before it was suspended (its last status's), flagged |

A progress a planner entered (``initiative.progress_pct``) wins over the table whatever the
status. A suspended initiative keeps its entered value or, without one, the table's value of
the status it had before it was suspended (from the status history); it is flagged and, like
an initiative without information, left out of the roll-up's percentages
(:mod:`geo.evaluation.rollup`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from geo.domain import STATUSES

log = logging.getLogger(__name__)

#: Physical progress (%) implied by each status; None: unknown. ``suspendido`` is absent:
#: a suspended initiative keeps the value of the status it had before.
STATUS_PROGRESS: dict[str, int | None] = {
    "sin_informacion": None,
    "idea": 0,
    "perfil": 10,
    "diseno": 25,
    "licitacion": 40,
    "en_ejecucion": 60,
    "terminado": 100,
}
SUSPENDED = "suspendido"

#: Where a progress comes from (:data:`geo.domain.PROGRESS_SOURCES`).
ENTERED = "registrado"
FROM_STATUS = "estado"


@dataclass(frozen=True)
class Progress:
    """An initiative's effective physical progress, where it came from, and the suspension flag."""

    pct: int | None
    source: str | None
    suspended: bool = False


def effective_progress(
    status: str, entered: int | None, status_before_suspension: str | None = None
) -> Progress:
    """The physical progress that counts for an initiative (the entered one wins).

    ``status_before_suspension``: for a suspended initiative, the status it had before (None
    when unknown: its progress is then unknown too, unless one was entered).
    """
    suspended = status == SUSPENDED
    if entered is not None:
        return Progress(int(entered), ENTERED, suspended)
    basis = status_before_suspension if suspended else status
    if basis is None or basis == SUSPENDED:
        return Progress(None, None, suspended)
    pct = STATUS_PROGRESS[basis]
    return Progress(pct, None if pct is None else FROM_STATUS, suspended)


def progress_table() -> list[tuple[str, str]]:
    """The status table as (status label, progress text) rows, for the page and the report."""
    rows = [
        (STATUSES[code], "sin dato" if pct is None else f"{pct} %") for code, pct in STATUS_PROGRESS.items()
    ]
    rows.append((STATUSES[SUSPENDED], "el valor que tenía antes de suspenderse (marcada)"))
    return rows
